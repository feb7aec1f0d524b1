package gov

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the governance module. Defaults follow cosmos-sdk v0.50.13
// x/gov/types/v1/params.go (reference/next-stage.md §1.1) except where
// §1.10 recommends otherwise (burning the pre-vote deposit, a minimum
// initial deposit against spam).
var (
	MinDeposit = params.Spec{Name: "gov.min_deposit", Default: 10_000_000, Min: 1, Max: 1_000_000_000_000_000_000, Unit: "upin",
		Doc: "deposit that moves a proposal from its deposit period to voting"}
	MinInitialDepositBps = params.Spec{Name: "gov.min_initial_deposit_bps", Default: 2_500, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of min_deposit a proposer must deposit when submitting (spam control, cosmos-sdk #12771)"}
	DepositSeconds = params.Spec{Name: "gov.deposit_seconds", Default: 2 * 24 * 3600, Min: 1, Max: 365 * 24 * 3600, Unit: "seconds",
		Doc: "time a proposal has to reach min_deposit"}
	VotingSeconds = params.Spec{Name: "gov.voting_seconds", Default: 2 * 24 * 3600, Min: 1, Max: 365 * 24 * 3600, Unit: "seconds",
		Doc: "length of the voting period"}
	QuorumBps = params.Spec{Name: "gov.quorum_bps", Default: 3_340, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of the bonded stake that must vote for the tally to count"}
	ThresholdBps = params.Spec{Name: "gov.threshold_bps", Default: 5_000, Min: 1, Max: 10_000, Unit: "bps",
		Doc: "share of the non-abstaining votes that must be yes to pass (strictly more)"}
	VetoBps = params.Spec{Name: "gov.veto_bps", Default: 3_340, Min: 1, Max: 10_000, Unit: "bps",
		Doc: "share of the votes that, voting no-with-veto, rejects a proposal and burns its deposits (strictly more)"}
	BurnDepositPrevote = params.Spec{Name: "gov.burn_deposit_prevote", Default: 1, Min: 0, Max: 1, Unit: "bool",
		Doc: "1 burns the deposits of a proposal dropped in its deposit period, 0 refunds them"}
	BurnVoteQuorum = params.Spec{Name: "gov.burn_vote_quorum", Default: 0, Min: 0, Max: 1, Unit: "bool",
		Doc: "1 burns the deposits of a proposal that missed the quorum, 0 refunds them"}
	BurnVoteVeto = params.Spec{Name: "gov.burn_vote_veto", Default: 1, Min: 0, Max: 1, Unit: "bool",
		Doc: "1 burns the deposits of a vetoed proposal, 0 refunds them"}
	MaxActions = params.Spec{Name: "gov.max_actions", Default: 10, Min: 1, Max: 100, Unit: "actions",
		Doc: "most actions in one proposal"}
)

// Specs lists the governance module's parameters.
func Specs() []params.Spec {
	return []params.Spec{MinDeposit, MinInitialDepositBps, DepositSeconds, VotingSeconds, QuorumBps, ThresholdBps, VetoBps,
		BurnDepositPrevote, BurnVoteQuorum, BurnVoteVeto, MaxActions}
}

// Limits of a proposal's text.
const (
	MaxTitleLen   = 140
	MaxSummaryLen = 10_000
)

// Module accounts of the governance module. No key can sign for them.
var (
	// Authority is the signer of a passed proposal's actions; networks that
	// enable governance make it the params authority.
	Authority = ledger.ModuleAddress("gov")
	// Deposits holds proposal deposits until they are refunded or burned.
	Deposits = ledger.ModuleAddress("gov_deposits")
	// Treasury is the reward module's treasury, which treasury spends pay
	// from.
	Treasury = ledger.ModuleAddress("treasury")
)

// Result codes of the governance module (the range 430-449).
const (
	CodeUnknownProposal  ledger.Code = 430 // no proposal with that id
	CodeNotDepositPeriod ledger.Code = 431 // the proposal does not take deposits now
	CodeNotVotingPeriod  ledger.Code = 432 // the proposal does not take votes now
	CodeDepositTooLow    ledger.Code = 433 // the initial deposit is below gov.min_initial_deposit_bps of gov.min_deposit
	CodeBadVoteOption    ledger.Code = 434 // not yes, abstain, no or no_with_veto
	CodeNotAuthority     ledger.Code = 435 // only the governance module may send this
)

func init() {
	ledger.RegisterCode(CodeUnknownProposal, "unknown_proposal")
	ledger.RegisterCode(CodeNotDepositPeriod, "not_deposit_period")
	ledger.RegisterCode(CodeNotVotingPeriod, "not_voting_period")
	ledger.RegisterCode(CodeDepositTooLow, "gov_deposit_too_low")
	ledger.RegisterCode(CodeBadVoteOption, "bad_vote_option")
	ledger.RegisterCode(CodeNotAuthority, "not_gov_authority")
}

func seconds(st ledger.Store, s params.Spec) int64 {
	v := params.Get(st, s)
	if v > 1<<62/1_000_000_000 {
		v = 1 << 62 / 1_000_000_000
	}
	return int64(v) * 1_000_000_000
}
