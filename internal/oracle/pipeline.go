package oracle

import (
	"slices"

	"github.com/depin-network/depin/internal/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// PoolCoverage is the device pool coverage shares are paid from
// (reward.DefaultPools).
const PoolCoverage = "coverage"

// ScoreFunc scores one epoch of the coverage kind.
type ScoreFunc func(coverage.Input, coverage.Geo) (coverage.Result, error)

// scorers maps each scorer version ever used to its code. When the rules
// change, the new version is added here and the old one stays, so epochs
// scored under it still replay bit for bit.
var scorers = map[uint32]ScoreFunc{
	coverage.ScorerVersion: coverage.Score,
}

// CurrentScorer is the version new epochs are scored with.
const CurrentScorer uint32 = coverage.ScorerVersion

// Scorer returns the scorer of a version, and false if none is registered.
func Scorer(version uint32) (ScoreFunc, bool) {
	f, ok := scorers[version]
	return f, ok
}

// ScorerVersions lists the registered versions, ascending.
func ScorerVersions() []uint32 {
	out := make([]uint32, 0, len(scorers))
	for v := range scorers {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// EpochInputs is everything an epoch's result depends on.
type EpochInputs struct {
	// Bundle holds the epoch, scorer version, window, params, registry,
	// entropy, prior activity, emission and pools.
	Bundle *Bundle
	// Reports are decoded from the epoch's verified segments.
	Reports Reports
	// Prior are the entries of the previous settled manifest (nil for the
	// first epoch); their root must be Bundle.PriorRoot.
	Prior []reward.Entry
	// Geo is the H3 geometry (internal/geo.H3).
	Geo coverage.Geo
}

// EpochOutput is an epoch's result.
type EpochOutput struct {
	Score  coverage.Result
	Reward reward.Output
	// Root is the manifest root the oracle submits.
	Root reward.Hash
	// Devices explains every hotspot with a report, a share or a payout,
	// sorted by device.
	Devices []Explanation
	Summary Summary
}

// Run scores an epoch and computes its rewards. It is deterministic: the
// same inputs give the same output, byte for byte, on every machine. The
// scorer is the one registered for Bundle.ScorerVersion.
func Run(in EpochInputs) (EpochOutput, error) {
	b := in.Bundle
	if b == nil {
		return EpochOutput{}, ledger.Errorf(CodeBundleMismatch, "run: no bundle")
	}
	if err := b.Validate(); err != nil {
		return EpochOutput{}, err
	}
	score, ok := scorers[b.ScorerVersion]
	if !ok {
		return EpochOutput{}, ledger.Errorf(CodeUnknownScorer,
			"run epoch %d: no scorer version %d (this build has %v)", b.Epoch, b.ScorerVersion, ScorerVersions())
	}
	if b.HasPrior {
		if got := (&reward.Manifest{Entries: in.Prior}).Root(); got != b.PriorRoot {
			return EpochOutput{}, ledger.Errorf(CodePriorMismatch,
				"run epoch %d: prior manifest root %s, the bundle names %s", b.Epoch, got, b.PriorRoot)
		}
	} else if len(in.Prior) > 0 {
		return EpochOutput{}, ledger.Errorf(CodePriorMismatch, "run epoch %d: prior totals given but the bundle names no prior epoch", b.Epoch)
	}
	res, err := score(coverage.Input{
		Epoch: b.Epoch, Start: b.Start, End: b.End, Params: b.Params,
		Hotspots: b.Hotspots, Entropy: b.Entropy, Activity: b.Activity,
		Beacons: in.Reports.Beacons, Witnesses: in.Reports.Witnesses,
	}, in.Geo)
	if err != nil {
		return EpochOutput{}, ledger.Errorf(CodeBundleMismatch, "run epoch %d: %v", b.Epoch, err)
	}
	if res.ScorerVersion != b.ScorerVersion {
		return EpochOutput{}, ledger.Errorf(CodeScorerMismatch,
			"run epoch %d: scorer registered as version %d reports version %d", b.Epoch, b.ScorerVersion, res.ScorerVersion)
	}
	shares := make([]reward.Share, 0, len(res.Shares))
	for _, s := range res.Shares {
		units, ok := ledger.Add(s.Beaconer, s.Witness)
		if !ok {
			return EpochOutput{}, ledger.Errorf(ledger.CodeOverflow, "run epoch %d: shares of %s overflow", b.Epoch, s.Device)
		}
		if units > 0 {
			shares = append(shares, reward.Share{Device: s.Device, Pool: PoolCoverage, Units: units})
		}
	}
	out, err := reward.Compute(reward.Input{
		Epoch: b.Epoch, ScorerVersion: b.ScorerVersion, Emission: b.Emission,
		Pools: b.Pools, Shares: shares, Prior: in.Prior,
	})
	if err != nil {
		return EpochOutput{}, err
	}
	eo := EpochOutput{Score: res, Reward: out, Root: out.Root}
	eo.Devices = explain(b, &res, &out)
	eo.Summary = summarize(b, &in.Reports, &res, &out, len(eo.Devices))
	return eo, nil
}

// DevicePoolsPaid lists what the devices of each device pool earned, in
// the epoch's pool order, and their sum: the totals MsgSubmitRoot carries.
func DevicePoolsPaid(out *reward.Output) ([]reward.PoolTotal, uint64) {
	var pools []reward.PoolTotal
	var total uint64
	for _, p := range out.Pools {
		if p.Recipient != reward.RecipientDevices {
			continue
		}
		pools = append(pools, p)
		total += p.Paid // pools are slices of one emission: no overflow
	}
	return pools, total
}

func sortU64(s []uint64) { slices.Sort(s) }
