package chain_test

import (
	"encoding/hex"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/stake"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// Staking and governance messages for the determinism generator. The
// operators of the genesis validators (genValidators) never undelegate, so
// no validator is jailed; no tx of a block can lower what another's
// prediction relies on (delegations only gain value per share, a deposit of
// 1000 upin never moves a proposal to voting).

var genValidators = []string{"acct-0", "acct-1", "acct-2"}

// genStakeGenesis makes genValidators the genesis validators with short
// unbonding, deposit and voting periods, so that entries mature and
// proposals end within a run.
func genStakeGenesis(spec *genesisSpec) {
	for i, n := range genValidators {
		spec.validators = append(spec.validators, chain.GenesisValidator{Operator: addrFor(n).String(),
			PubKey: hexKey(consKeyFor(n)), SelfBond: 10_000_000_000, CommissionBps: uint32(500 * i), MaxCommissionBps: 2_000, MaxChangeBps: 100})
	}
	spec.params[stake.UnbondingSeconds.Name] = 30
	spec.params[gov.VotingSeconds.Name] = 40
	spec.params[gov.DepositSeconds.Name] = 40
}

// consKeyFor is the consensus public key of a validator operated by name.
func consKeyFor(name string) []byte { return sig.PublicOf(keyFor(name + "/consensus")) }

func hexKey(b []byte) string { return hex.EncodeToString(b) }

func (g *gen) isOperator(name string) bool {
	_, ok := stake.GetValidator(g.st, addrFor(name))
	return ok
}

// stakeTx plans a staking or governance tx signed by name, valid two
// times in three; false when none fits the state.
func (g *gen) stakeTx(name string) (planned, bool) {
	if g.chance(65) {
		return g.stakeValid(name)
	}
	return g.stakeInvalid(name)
}

func (g *gen) stakeValid(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	me := addrFor(name)
	val := addrFor(g.oneOf(genValidators))
	dels := stake.DelegationsOf(g.st, me)
	var mine []stake.DelegationEntry // delegations to validators name does not operate
	for _, d := range dels {
		if d.Validator != me {
			mine = append(mine, d)
		}
	}
	switch r := g.pick(100); {
	case r < 25:
		return ok(stake.TypeDelegate, msg{stake.TypeDelegate, mustMarshal(&stakev1.MsgDelegate{Validator: val[:], Amount: uint64(1 + g.pick(1_000_000_000))})})
	case r < 35 && len(mine) > 0:
		d := mine[g.pick(len(mine))]
		v, _ := stake.GetValidator(g.st, d.Validator)
		worth := stake.TokensOf(v, d.Delegation.Shares)
		if worth < 2 || stake.UnbondingsFrom(g.st, me, d.Validator) >= params.Get(g.st, stake.MaxEntries) {
			break
		}
		return ok(stake.TypeUndelegate, msg{stake.TypeUndelegate, mustMarshal(&stakev1.MsgUndelegate{Validator: d.Validator[:], Amount: 1 + uint64(g.pick(int(min(worth/2, 1<<30))))})})
	case r < 52 && len(mine) > 0:
		d := mine[g.pick(len(mine))]
		dst := addrFor(g.oneOf(genValidators))
		v, _ := stake.GetValidator(g.st, d.Validator)
		worth := stake.TokensOf(v, d.Delegation.Shares)
		if dst == d.Validator || worth < 2 || stake.RedelegationsInto(g.st, me, d.Validator) > 0 ||
			stake.RedelegationsInto(g.st, me, dst) >= params.Get(g.st, stake.MaxEntries) {
			break
		}
		return ok(stake.TypeRedelegate, msg{stake.TypeRedelegate, mustMarshal(&stakev1.MsgRedelegate{Src: d.Validator[:], Dst: dst[:], Amount: 1 + uint64(g.pick(int(min(worth/2, 1<<30))))})})
	case r < 60 && (len(dels) > 0 || g.isOperator(name)):
		return ok(stake.TypeWithdrawRewards, msg{stake.TypeWithdrawRewards, mustMarshal(&stakev1.MsgWithdrawRewards{})})
	case r < 70:
		dep := uint64(10_000_000) // min_deposit: voting starts at once
		if g.chance(40) {
			dep = 3_000_000 // above the minimum initial deposit, below min_deposit
		}
		m := &govv1.MsgSubmitProposal{Title: "text", Deposit: dep}
		if g.chance(40) && bank.Balance(g.st, gov.Treasury) > 0 {
			// A spend of one upin the treasury holds: it passes the
			// submission's dry run and runs if the proposal passes.
			m.Title = "spend"
			m.Actions = []*govv1.Action{{Type: gov.TypeTreasurySpend, Value: mustMarshal(&govv1.MsgTreasurySpend{To: me[:], Amount: 1})}}
		}
		return ok(gov.TypeSubmitProposal, msg{gov.TypeSubmitProposal, mustMarshal(m)})
	case r < 90:
		if p := g.proposalIn(govv1.Status_STATUS_VOTING_PERIOD); p != nil && p.VotingEndTime > g.height()*1_000_000_000 {
			o := govv1.VoteOption(1 + g.pick(4))
			return ok(gov.TypeVote, msg{gov.TypeVote, mustMarshal(&govv1.MsgVote{Proposal: p.Id, Option: o})})
		}
	default:
		if p := g.proposalIn(govv1.Status_STATUS_DEPOSIT_PERIOD); p != nil {
			return ok(gov.TypeDeposit, msg{gov.TypeDeposit, mustMarshal(&govv1.MsgDeposit{Proposal: p.Id, Amount: 1000})})
		}
	}
	return planned{}, false
}

func (g *gen) stakeInvalid(name string) (planned, bool) {
	bad := func(label string, code ledger.Code, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: code, label: "bad:" + label}, true
	}
	me := addrFor(name)
	val := addrFor(g.oneOf(genValidators))
	switch r := g.pick(100); {
	case r < 25:
		if _, has := stake.GetDelegation(g.st, me, val); !has {
			return bad("unknown_delegation", stake.CodeUnknownDelegation, msg{stake.TypeUndelegate, mustMarshal(&stakev1.MsgUndelegate{Validator: val[:], Amount: 1})})
		}
	case r < 50:
		if !g.isOperator(name) {
			return bad("self_bond_too_low", stake.CodeSelfBondTooLow, msg{stake.TypeCreateValidator, mustMarshal(&stakev1.MsgCreateValidator{
				PubKey: consKeyFor(name), Amount: params.Get(g.st, stake.MinSelfBond) - 1, MaxCommissionBps: 100})})
		}
	case r < 70:
		return bad("unknown_proposal", gov.CodeUnknownProposal, msg{gov.TypeVote, mustMarshal(&govv1.MsgVote{Proposal: 1 << 40, Option: govv1.VoteOption_VOTE_OPTION_YES})})
	default:
		for _, s := range []govv1.Status{govv1.Status_STATUS_PASSED, govv1.Status_STATUS_REJECTED, govv1.Status_STATUS_DROPPED} {
			if p := g.proposalIn(s); p != nil {
				return bad("vote_closed", gov.CodeNotVotingPeriod, msg{gov.TypeVote, mustMarshal(&govv1.MsgVote{Proposal: p.Id, Option: govv1.VoteOption_VOTE_OPTION_NO})})
			}
		}
	}
	return planned{}, false
}

// proposalIn picks a proposal in a status, or nil.
func (g *gen) proposalIn(s govv1.Status) *govv1.Proposal {
	var in []*govv1.Proposal
	for _, p := range gov.Proposals(g.st, 0, 10_000) {
		if p.Status == s {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		return nil
	}
	return in[g.pick(len(in))]
}
