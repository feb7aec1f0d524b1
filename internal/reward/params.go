package reward

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the on-chain reward module. Each is changeable by the params
// authority within its bounds.
var (
	// EmissionInitial is Schedule.Initial.
	EmissionInitial = params.Spec{Name: "reward.emission_initial", Default: 1_000_000_000, Min: 0, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "emission of each epoch before the first halving"}
	// HalvingEpochs is Schedule.HalvingEpochs; the default is two years of
	// one-minute epochs (helium/HIP HIP-20: halvings every two years).
	HalvingEpochs = params.Spec{Name: "reward.halving_epochs", Default: 1_051_200, Min: 0, Max: 1_000_000_000_000, Unit: "epochs",
		Doc: "epochs between two halvings of the emission; 0 never halves"}
	// QuorumBps is the share of the oracle weight that must submit identical
	// content to settle an epoch: agreeing × 10000 ≥ total × quorum_bps. The
	// default 6666 is two thirds rounded down to a basis point, so oracles
	// holding exactly 2/3 of the weight settle (helium-program-library
	// lazy-distributor pays the median of its oracles; DESIGN §3.2 asks for
	// 2/3). Above 5000, two different contents can never both reach it.
	QuorumBps = params.Spec{Name: "reward.quorum_bps", Default: 6666, Min: 5001, Max: BpsTotal, Unit: "bps",
		Doc: "oracle weight that must agree on an epoch's root to settle it"}
	// SegmentGraceBlocks is how long after an epoch ends ingest may still
	// commit its segments; oracles submit roots only after it.
	SegmentGraceBlocks = params.Spec{Name: "reward.segment_grace_blocks", Default: 50, Min: 0, Max: 100_000, Unit: "blocks",
		Doc: "blocks after an epoch's end during which its segments may still be committed"}
	// WindowSlackMs widens each epoch's receive window on both sides
	// beyond the block times of its first and last heights, for the skew
	// between ingest's clock and block time. It is recorded in the epoch at
	// its end block, so every oracle scores with the same value.
	WindowSlackMs = params.Spec{Name: "reward.window_slack_ms", Default: 30_000, Min: 0, Max: 3_600_000, Unit: "ms",
		Doc: "slack on both sides of an epoch's receive window (ingest clock against block time)"}
	// MaxOracles bounds the oracle set (each submission tallies the set).
	MaxOracles = params.Spec{Name: "reward.max_oracles", Default: 32, Min: 1, Max: 256, Unit: "oracles",
		Doc: "most oracles in the oracle set"}
	// MaxOracleWeight bounds one oracle's weight.
	MaxOracleWeight = params.Spec{Name: "reward.max_oracle_weight", Default: 1_000_000, Min: 1, Max: 1_000_000_000_000, Unit: "weight",
		Doc: "largest weight of one oracle"}
)

// Specs lists the reward module's parameters.
func Specs() []params.Spec {
	return []params.Spec{EmissionInitial, HalvingEpochs, QuorumBps, SegmentGraceBlocks, MaxOracles, MaxOracleWeight, WindowSlackMs}
}

// ScheduleOf reads the emission schedule from params.
func ScheduleOf(st ledger.Store) Schedule {
	return Schedule{Initial: params.Get(st, EmissionInitial), HalvingEpochs: params.Get(st, HalvingEpochs)}
}

// DefaultPools is the pool list until the authority sets one: the coverage
// availability pool paying coverage devices, the oracles and the treasury
// (helium/oracles iot_verifier/src/reward_share.rs pays its oracles 7% of
// emissions).
func DefaultPools() []Pool {
	return []Pool{
		{Name: "coverage", Bps: 8_000, Recipient: RecipientDevices, Kind: "coverage"},
		{Name: "oracles", Bps: 700, Recipient: RecipientOracles},
		{Name: "treasury", Bps: 1_300, Recipient: RecipientTreasury},
	}
}

// Module accounts of the reward module. No key can sign for them.
var (
	// RewardPool holds minted device rewards until their owners claim them.
	RewardPool = ledger.ModuleAddress("reward_pool")
	// Treasury receives the treasury pool and every rounding remainder.
	Treasury = ledger.ModuleAddress("treasury")
)

// Result codes of the on-chain reward module (the reward range is 80-99).
const (
	CodeNotOracle           ledger.Code = 80 // the signer is not in the oracle set
	CodeOracleSetFull       ledger.Code = 81 // the oracle set has max_oracles members
	CodeUnknownOracle       ledger.Code = 82 // no oracle with that address
	CodeEpochNotOpen        ledger.Code = 83 // the epoch does not take roots now (not ended, in grace, or not next)
	CodeEpochSettled        ledger.Code = 84 // the epoch is settled already
	CodeDuplicateSubmission ledger.Code = 85 // the oracle submitted this content already
	CodeTotalsMismatch      ledger.Code = 86 // pool totals do not fit the epoch's emission and pools
	CodeNoSettledRoot       ledger.Code = 87 // no epoch is settled yet
	CodeBadProof            ledger.Code = 88 // (device, cumulative) is not in the latest settled manifest
	CodeNothingToClaim      ledger.Code = 89 // the device claimed its cumulative total already
	CodePoolShort           ledger.Code = 90 // the reward pool owes less than the claim
	CodeUnknownEpoch        ledger.Code = 91 // no such epoch yet
)

func init() {
	ledger.RegisterCode(CodeNotOracle, "not_oracle")
	ledger.RegisterCode(CodeOracleSetFull, "oracle_set_full")
	ledger.RegisterCode(CodeUnknownOracle, "unknown_oracle")
	ledger.RegisterCode(CodeEpochNotOpen, "epoch_not_open")
	ledger.RegisterCode(CodeEpochSettled, "epoch_settled")
	ledger.RegisterCode(CodeDuplicateSubmission, "duplicate_submission")
	ledger.RegisterCode(CodeTotalsMismatch, "totals_mismatch")
	ledger.RegisterCode(CodeNoSettledRoot, "no_settled_root")
	ledger.RegisterCode(CodeBadProof, "bad_proof")
	ledger.RegisterCode(CodeNothingToClaim, "nothing_to_claim")
	ledger.RegisterCode(CodePoolShort, "pool_short")
	ledger.RegisterCode(CodeUnknownEpoch, "unknown_epoch")
}
