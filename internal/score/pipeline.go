package score

import (
	"encoding/json"
	"io"
	"slices"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
)

// scorerVersions are the versions of the epoch pipeline (the bundle's
// ScorerVersion, recorded on chain): how kinds' outputs become rewards.
// Each kind's scorer has its own versions (KindInputs.ScorerVersion).
var scorerVersions = []uint32{1}

// CurrentScorer is the pipeline version new epochs are scored with.
const CurrentScorer uint32 = 1

// ScorerVersions lists the pipeline versions this build runs, ascending.
func ScorerVersions() []uint32 { return slices.Clone(scorerVersions) }

func knownScorer(v uint32) bool { return slices.Contains(scorerVersions, v) }

// EpochInputs is everything an epoch's result depends on.
type EpochInputs struct {
	// Bundle holds the epoch, scorer versions, window, per-kind params,
	// devices and state, entropy, emission and pools.
	Bundle *Bundle
	// Reports are decoded from the epoch's verified segments: in a list,
	// or, for the kinds that collect, in their collectors
	// (segment.Collecting).
	Reports segment.Reports
	// Prior are the entries of the previous settled manifest (nil for the
	// first epoch); their root must be Bundle.PriorRoot.
	Prior []reward.Entry
	// Kinds are the network kinds whose scorers run.
	Kinds *kind.Registry
	// Geo is the H3 geometry (internal/geo.H3).
	Geo kind.Geo
}

// KindOutput is one kind's output for an epoch.
type KindOutput struct {
	Name string
	kind.Output
}

// EpochOutput is an epoch's result.
type EpochOutput struct {
	// Kinds are each kind's output, in the bundle's order. Their verdicts
	// (Reasons or Verdicts) are the only copy: the explanations are built
	// from them one device at a time (EachExplanation), since eleven
	// million reports make every expanded copy over a gigabyte.
	Kinds  []KindOutput
	Reward reward.Output
	// Root is the manifest root the oracle submits.
	Root    reward.Hash
	Summary Summary
	explain *explainer
}

// EachExplanation calls fn with the explanation of every device with a
// report, a share, a payout or a cumulative total, sorted by device. The
// explanation is reused from call to call: fn must not keep it or its
// slices.
func (o *EpochOutput) EachExplanation(fn func(*Explanation) error) error {
	if o.explain == nil {
		return nil
	}
	return o.explain.each(fn)
}

// Explanation returns the explanation of one device, and false if the
// epoch does not explain it.
func (o *EpochOutput) Explanation(dev ledger.Address) (Explanation, bool) {
	if o.explain == nil {
		return Explanation{}, false
	}
	return o.explain.one(dev)
}

// Explanations returns every explanation, sorted by device: all of them at
// once, for small epochs and tests (EachExplanation streams them).
func (o *EpochOutput) Explanations() []Explanation {
	list := []Explanation{}
	_ = o.EachExplanation(func(e *Explanation) error {
		c := *e
		c.Stats, c.Pools, c.Reports = slices.Clone(e.Stats), slices.Clone(e.Pools), slices.Clone(e.Reports)
		list = append(list, c)
		return nil
	})
	return list
}

// WriteExplanations writes every explanation to w as JSON lines, one device
// per line (json.Marshal of its Explanation), sorted by device: the stored
// form of an epoch's explanations, written as they are built.
func (o *EpochOutput) WriteExplanations(w io.Writer) error {
	var line []byte
	return o.EachExplanation(func(e *Explanation) error {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		line = append(append(line[:0], b...), '\n')
		_, err = w.Write(line)
		return err
	})
}

// ExplainedDevices is the number of devices the epoch explains.
func (o *EpochOutput) ExplainedDevices() int {
	if o.explain == nil {
		return 0
	}
	return len(o.explain.devs)
}

// State returns the state a kind left, nil if none.
func (o *EpochOutput) State(name string) []byte {
	for _, k := range o.Kinds {
		if k.Name == name {
			return k.State
		}
	}
	return nil
}

// Run scores an epoch and computes its rewards. It is deterministic: the
// same inputs give the same output, byte for byte, on every machine. Each
// kind in the bundle is scored by its registered scorer of the version the
// bundle names, and the units of every kind go to reward.Compute.
func Run(in EpochInputs) (EpochOutput, error) {
	b := in.Bundle
	if b == nil || in.Kinds == nil {
		return EpochOutput{}, ledger.Errorf(CodeBundleMismatch, "run: no bundle or no kinds")
	}
	if err := b.Validate(); err != nil {
		return EpochOutput{}, err
	}
	if !knownScorer(b.ScorerVersion) {
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
	eo := EpochOutput{}
	var shares []reward.Share
	for i := range b.Kinds {
		ki := &b.Kinds[i]
		k, ok := in.Kinds.Get(ki.Name)
		if !ok {
			return EpochOutput{}, ledger.Errorf(CodeUnknownScorer, "run epoch %d: no kind %q in this build (it has %v)", b.Epoch, ki.Name, in.Kinds.Names())
		}
		sc, ok := k.Scorer(ki.ScorerVersion)
		if !ok {
			return EpochOutput{}, ledger.Errorf(CodeUnknownScorer,
				"run epoch %d: kind %s has no scorer version %d (this build has %v)", b.Epoch, ki.Name, ki.ScorerVersion, k.ScorerVersions())
		}
		if err := kind.Validate(k, ki.Params); err != nil {
			return EpochOutput{}, ledger.Errorf(CodeBundleMismatch, "run epoch %d: %v", b.Epoch, err)
		}
		out, err := sc.Score(kind.Input{
			Epoch: b.Epoch, Start: b.Start, End: b.End, Params: ki.Params, Devices: ki.Devices,
			Entropy: b.Entropy, Reports: in.Reports.Of(ki.Name), Collected: in.Reports.Collected(ki.Name),
			State: ki.State, Geo: in.Geo,
		})
		if err != nil {
			return EpochOutput{}, ledger.Errorf(CodeBundleMismatch, "run epoch %d: kind %s: %v", b.Epoch, ki.Name, err)
		}
		if out.ScorerVersion != ki.ScorerVersion {
			return EpochOutput{}, ledger.Errorf(CodeScorerMismatch,
				"run epoch %d: kind %s scorer registered as version %d reports version %d", b.Epoch, ki.Name, ki.ScorerVersion, out.ScorerVersion)
		}
		for _, s := range out.Shares {
			if s.Units > 0 {
				shares = append(shares, reward.Share{Device: s.Device, Pool: s.Pool, Units: s.Units})
			}
		}
		eo.Kinds = append(eo.Kinds, KindOutput{Name: ki.Name, Output: out})
	}
	out, err := reward.Compute(reward.Input{
		Epoch: b.Epoch, ScorerVersion: b.ScorerVersion, Emission: b.Emission,
		Pools: b.Pools, Shares: shares, Prior: in.Prior,
	})
	if err != nil {
		return EpochOutput{}, err
	}
	eo.Reward, eo.Root = out, out.Root
	eo.explain = newExplainer(b, eo.Kinds, &eo.Reward)
	eo.Summary = summarize(b, &in.Reports, eo.Kinds, &eo.Reward, len(eo.explain.devs))
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
