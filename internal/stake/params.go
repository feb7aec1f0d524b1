package stake

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// PowerReduction is the number of base units per unit of consensus power:
// one PIN is one vote (cosmos-sdk v0.50.13 types/staking.go:24,
// DefaultPowerReduction = 10^6, with 6 decimals as here).
const PowerReduction = 1_000_000

// Parameters of the staking module. Defaults follow cosmos-sdk v0.50.13
// (x/staking/types/params.go, x/slashing/types/params.go; see
// reference/next-stage.md §1.1) except where noted.
var (
	MaxValidators = params.Spec{Name: "stake.max_validators", Default: 100, Min: 1, Max: 10_000, Unit: "validators",
		Doc: "size of the active set: the validators with the most bonded stake"}
	UnbondingSeconds = params.Spec{Name: "stake.unbonding_seconds", Default: 21 * 24 * 3600, Min: 1, Max: 10 * 365 * 24 * 3600, Unit: "seconds",
		Doc: "time from undelegating or redelegating until the tokens are free and can no longer be slashed"}
	MaxEntries = params.Spec{Name: "stake.max_entries", Default: 7, Min: 1, Max: 1_000, Unit: "entries",
		Doc: "most unbonding (or redelegation) entries one delegator may have open per validator"}
	MinSelfBond = params.Spec{Name: "stake.min_self_bond", Default: 1_000_000_000, Min: PowerReduction, Max: 1_000_000_000_000_000_000, Unit: "upin",
		Doc: "least stake an operator keeps in its own validator; below it the validator is jailed"}
	MinCommissionBps = params.Spec{Name: "stake.min_commission_bps", Default: 0, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "lowest commission rate a validator may set"}
	CommissionChangeSeconds = params.Spec{Name: "stake.commission_change_seconds", Default: 24 * 3600, Min: 0, Max: 365 * 24 * 3600, Unit: "seconds",
		Doc: "least time between two commission changes of a validator (cosmos-sdk types/commission.go: once per 24 h)"}
	// SignedBlocksWindow and MinSignedBps define downtime. Misses are
	// counted per window of consecutive blocks (reference/next-stage.md
	// §1.10: a count, not a per-block bitmap, so only a miss writes state
	// and the window can be changed safely).
	SignedBlocksWindow = params.Spec{Name: "stake.signed_blocks_window", Default: 100, Min: 2, Max: 1_000_000, Unit: "blocks",
		Doc: "window over which a validator's missed blocks are counted"}
	MinSignedBps = params.Spec{Name: "stake.min_signed_bps", Default: 5_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of a window's blocks a validator must sign; missing more jails it"}
	DowntimeJailSeconds = params.Spec{Name: "stake.downtime_jail_seconds", Default: 600, Min: 0, Max: 365 * 24 * 3600, Unit: "seconds",
		Doc: "time a validator jailed for downtime waits before it may unjail"}
	SlashDoubleSignBps = params.Spec{Name: "stake.slash_double_sign_bps", Default: 500, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of the stake at the infraction burned for double signing"}
	SlashDowntimeBps = params.Spec{Name: "stake.slash_downtime_bps", Default: 100, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of the stake burned for downtime"}
	// EvidenceMaxAgeBlocks and EvidenceMaxAgeSeconds: evidence older than
	// both is ignored (CometBFT types/params.go: 100000 blocks, 48 h).
	EvidenceMaxAgeBlocks = params.Spec{Name: "stake.evidence_max_age_blocks", Default: 100_000, Min: 1, Max: 100_000_000, Unit: "blocks",
		Doc: "evidence older than this many blocks (and than evidence_max_age_seconds) is ignored"}
	EvidenceMaxAgeSeconds = params.Spec{Name: "stake.evidence_max_age_seconds", Default: 48 * 3600, Min: 1, Max: 365 * 24 * 3600, Unit: "seconds",
		Doc: "evidence older than this (and than evidence_max_age_blocks) is ignored"}
)

// Specs lists the staking module's parameters.
func Specs() []params.Spec {
	return []params.Spec{MaxValidators, UnbondingSeconds, MaxEntries, MinSelfBond, MinCommissionBps, CommissionChangeSeconds,
		SignedBlocksWindow, MinSignedBps, DowntimeJailSeconds, SlashDoubleSignBps, SlashDowntimeBps,
		EvidenceMaxAgeBlocks, EvidenceMaxAgeSeconds}
}

// Module accounts of the staking module. No key can sign for them.
var (
	// BondedPool holds every validator's tokens.
	BondedPool = ledger.ModuleAddress("stake_bonded")
	// UnbondingPool holds tokens of unbonding entries until they mature.
	UnbondingPool = ledger.ModuleAddress("stake_unbonding")
	// RewardsPool holds allocated, unwithdrawn rewards and commission.
	RewardsPool = ledger.ModuleAddress("stake_rewards")
	// Treasury receives rounding remainders of the distribution; it is the
	// reward module's treasury account.
	Treasury = ledger.ModuleAddress("treasury")
)

// Result codes of the staking module (the range 400-429).
const (
	CodeUnknownValidator       ledger.Code = 400 // no validator with that operator
	CodeValidatorExists        ledger.Code = 401 // the signer operates a validator already
	CodeConsensusKeyUsed       ledger.Code = 402 // another validator uses that consensus key, or it is not a valid ed25519 key
	CodeSelfBondTooLow         ledger.Code = 403 // the self-bond is below stake.min_self_bond
	CodeBadCommission          ledger.Code = 404 // a commission rate outside its bounds
	CodeCommissionTooSoon      ledger.Code = 405 // the last commission change is too recent
	CodeTombstoned             ledger.Code = 406 // the validator was tombstoned for double signing
	CodeNotJailed              ledger.Code = 407 // the validator is not jailed
	CodeJailNotOver            ledger.Code = 408 // the validator's jail time is not over
	CodeUnknownDelegation      ledger.Code = 409 // no delegation from that delegator to that validator
	CodeInsufficientShares     ledger.Code = 410 // the delegation is smaller than the amount
	CodeTooManyEntries         ledger.Code = 411 // the pair has stake.max_entries entries open
	CodeTransitiveRedelegation ledger.Code = 412 // redelegating from a validator one redelegated into, before that matured
	CodeValidatorEmpty         ledger.Code = 413 // the validator's tokens were slashed to zero
	CodeSelfRedelegation       ledger.Code = 414 // source and destination are the same validator
	CodeStakingDisabled        ledger.Code = 415 // the chain started without a staking genesis
)

func init() {
	ledger.RegisterCode(CodeUnknownValidator, "unknown_validator")
	ledger.RegisterCode(CodeValidatorExists, "validator_exists")
	ledger.RegisterCode(CodeConsensusKeyUsed, "consensus_key_used")
	ledger.RegisterCode(CodeSelfBondTooLow, "self_bond_too_low")
	ledger.RegisterCode(CodeBadCommission, "bad_commission")
	ledger.RegisterCode(CodeCommissionTooSoon, "commission_too_soon")
	ledger.RegisterCode(CodeTombstoned, "tombstoned")
	ledger.RegisterCode(CodeNotJailed, "not_jailed")
	ledger.RegisterCode(CodeJailNotOver, "jail_not_over")
	ledger.RegisterCode(CodeUnknownDelegation, "unknown_delegation")
	ledger.RegisterCode(CodeInsufficientShares, "insufficient_shares")
	ledger.RegisterCode(CodeTooManyEntries, "too_many_entries")
	ledger.RegisterCode(CodeTransitiveRedelegation, "transitive_redelegation")
	ledger.RegisterCode(CodeValidatorEmpty, "validator_empty")
	ledger.RegisterCode(CodeSelfRedelegation, "self_redelegation")
	ledger.RegisterCode(CodeStakingDisabled, "staking_disabled")
}

func seconds(st ledger.Store, s params.Spec) int64 {
	v := params.Get(st, s)
	if v > 1<<62/1_000_000_000 {
		v = 1 << 62 / 1_000_000_000
	}
	return int64(v) * 1_000_000_000
}
