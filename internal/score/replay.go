package score

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// ReplayResult is the outcome of replaying an epoch.
type ReplayResult struct {
	Epoch         uint64 `json:"epoch,string"`
	ScorerVersion uint32 `json:"scorer_version"`
	Match         bool   `json:"match"`
	ChainRoot     string `json:"chain_root"`
	ReplayRoot    string `json:"replay_root"`
	// PublishedRoot is the root of the manifest the oracle published.
	PublishedRoot string `json:"published_root"`
	InputsHash    string `json:"inputs_hash"`
	// InputsOnChain says whether the chain records the inputs hash (and it
	// was checked); otherwise the bundle was checked against the epoch's
	// emission, pools and segments on chain and through the final root.
	InputsOnChain bool         `json:"inputs_on_chain"`
	Segments      int          `json:"segments"`
	Summary       Summary      `json:"summary"`
	Differences   []DeviceDiff `json:"differences"`
}

// DeviceDiff is a device whose replayed cumulative total differs from the
// published manifest's, and why.
type DeviceDiff struct {
	Device    string `json:"device"`
	Published uint64 `json:"published,string"`
	Replayed  uint64 `json:"replayed,string"`
	// Reports whose verdict differs from the published explanation (when
	// the source serves explanations), else the replayed verdicts.
	Reports []ReportDiff `json:"reports"`
}

// ReportDiff is one report's verdict in the published explanation and in
// the replay; an empty side means the report is absent there.
type ReportDiff struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	Published string `json:"published,omitempty"`
	Replayed  string `json:"replayed,omitempty"`
	// Shares differ when the verdicts agree but the weight does (another
	// hex scale or witness count).
	PublishedShare uint64 `json:"published_share,string"`
	ReplayedShare  uint64 `json:"replayed_share,string"`
	Detail         string `json:"detail,omitempty"`
}

// Replay re-runs an epoch from published inputs and compares the result
// with the root settled on chain. Every input is checked against the chain
// first: the bundle's hash (when the chain records it), epoch, emission,
// pools and segment list; every segment's content hash, Merkle root and
// count; the prior manifest's root. A failed check is a *ledger.Error with
// this package's codes; a recomputed root that differs is a result with
// Match false and the differing devices.
func Replay(ctx context.Context, chain Chain, src Source, kinds *kind.Registry, epoch uint64, geo kind.Geo) (*ReplayResult, error) {
	info, err := chain.Epoch(ctx, epoch)
	if err != nil {
		return nil, fmt.Errorf("oracle: replay: %w", err)
	}
	set, err := chain.Settlement(ctx, epoch)
	if errors.Is(err, ErrNotFound) {
		return nil, ledger.Errorf(CodeEpochNotSettled, "replay epoch %d: the chain has no settled root for it", epoch)
	}
	if err != nil {
		return nil, fmt.Errorf("oracle: replay: %w", err)
	}
	raw, err := src.Bundle(ctx, epoch)
	if err != nil {
		return nil, fmt.Errorf("oracle: replay: %w", err)
	}
	hash := BundleHash(raw)
	res := &ReplayResult{Epoch: epoch, ChainRoot: set.Root.String(), InputsHash: hex.EncodeToString(hash[:]), Differences: []DeviceDiff{}}
	if set.InputsHash != nil {
		if !bytes.Equal(set.InputsHash, hash[:]) {
			return nil, ledger.Errorf(CodeBundleMismatch,
				"replay epoch %d: bundle hash %x, the chain records %x", epoch, hash[:], set.InputsHash)
		}
		res.InputsOnChain = true
	}
	b, err := DecodeBundle(raw)
	if err != nil {
		return nil, err
	}
	if err := checkBundle(b, info, set); err != nil {
		return nil, err
	}
	if err := checkRecordedParams(b, info, kinds); err != nil {
		return nil, err
	}
	commits, err := chain.Segments(ctx, epoch)
	if err != nil {
		return nil, fmt.Errorf("oracle: replay: %w", err)
	}
	if err := sameSegments(epoch, b.Segments, commits); err != nil {
		return nil, err
	}
	res.ScorerVersion, res.Segments = b.ScorerVersion, len(commits)

	reps := segment.Collecting()
	for _, ref := range commits {
		seg, err := fetchSegment(ctx, src, ref, epoch)
		if err != nil {
			return nil, err
		}
		reps.Add(kinds, seg)
	}
	prior, err := priorManifest(ctx, chain, src, b, epoch)
	if err != nil {
		return nil, err
	}
	if err := checkPriorStates(ctx, chain, src, b, epoch); err != nil {
		return nil, err
	}
	out, err := Run(EpochInputs{Bundle: b, Reports: reps, Prior: prior, Kinds: kinds, Geo: geo})
	if err != nil {
		return nil, err
	}
	res.ReplayRoot, res.Summary = out.Root.String(), out.Summary
	res.Summary.InputsHash = res.InputsHash
	res.Match = out.Root == set.Root
	if res.Match {
		return res, nil
	}
	// Explain: diff against the manifest the oracle published.
	var published []reward.Entry
	if mb, err := src.Manifest(ctx, epoch); err == nil {
		if m, err := reward.DecodeManifest(mb); err == nil {
			published = m.Entries
			res.PublishedRoot = m.Root().String()
		}
	}
	res.Differences = diffManifests(ctx, src, epoch, published, out)
	return res, nil
}

// checkBundle compares the bundle with what the chain records of the epoch.
func checkBundle(b *Bundle, info EpochInfo, set Settlement) error {
	bad := func(format string, args ...any) error {
		return ledger.Errorf(CodeBundleMismatch, "replay epoch %d: bundle "+format, append([]any{info.Number}, args...)...)
	}
	switch {
	case b.Epoch != info.Number:
		return bad("is for epoch %d", b.Epoch)
	case b.ScorerVersion != set.ScorerVersion:
		return ledger.Errorf(CodeScorerMismatch, "replay epoch %d: bundle names scorer version %d, the chain records %d",
			info.Number, b.ScorerVersion, set.ScorerVersion)
	case b.StartHeight != info.StartHeight || b.EndHeight != info.EndHeight:
		return bad("covers heights %d-%d, the chain %d-%d", b.StartHeight, b.EndHeight, info.StartHeight, info.EndHeight)
	case b.Emission != info.Emission:
		return bad("emission %d, the chain %d", b.Emission, info.Emission)
	case !slices.Equal(b.Pools, info.Pools):
		return bad("pools %v, the chain %v", b.Pools, info.Pools)
	}
	start, end, err := Window(info)
	if err != nil {
		return err
	}
	if b.Start != start || b.End != end {
		return bad("receive window [%d, %d), the chain's block times and slack give [%d, %d)", b.Start, b.End, start, end)
	}
	if !knownScorer(set.ScorerVersion) {
		return ledger.Errorf(CodeUnknownScorer, "replay epoch %d: scored with version %d; this build has %v",
			info.Number, set.ScorerVersion, ScorerVersions())
	}
	return nil
}

// checkRecordedParams checks each kind's params and scorer version in the
// bundle against the values the epoch recorded on chain at its end.
func checkRecordedParams(b *Bundle, info EpochInfo, kinds *kind.Registry) error {
	for i := range b.Kinds {
		ki := &b.Kinds[i]
		k, ok := kinds.Get(ki.Name)
		if !ok {
			return ledger.Errorf(CodeUnknownScorer, "replay epoch %d: no kind %q in this build (it has %v)", b.Epoch, ki.Name, kinds.Names())
		}
		p, v, err := KindParams(info, k)
		if err != nil {
			return err
		}
		if v != ki.ScorerVersion {
			return ledger.Errorf(CodeScorerMismatch, "replay epoch %d: bundle scores kind %s with version %d, the chain recorded %d",
				b.Epoch, ki.Name, ki.ScorerVersion, v)
		}
		if !slices.Equal(p, ki.Params) {
			return ledger.Errorf(CodeBundleMismatch, "replay epoch %d: bundle params of kind %s %v, the chain recorded %v", b.Epoch, ki.Name, ki.Params, p)
		}
	}
	return nil
}

// checkPriorStates checks the kinds' states the bundle starts from against
// the state the chain settled for the prior epoch: the published state
// list must hash to the settled state hash and give each kind its state.
func checkPriorStates(ctx context.Context, chain Chain, src Source, b *Bundle, epoch uint64) error {
	if !b.HasPrior {
		for _, k := range b.Kinds {
			if len(k.State) > 0 {
				return ledger.Errorf(CodePriorMismatch, "replay epoch %d: kind %s starts from a state but the bundle names no prior epoch", epoch, k.Name)
			}
		}
		return nil
	}
	set, err := chain.Settlement(ctx, b.PriorEpoch)
	if err != nil {
		return ledger.Errorf(CodePriorMismatch, "replay epoch %d: prior epoch %d: %v", epoch, b.PriorEpoch, err)
	}
	if set.StateHash == nil {
		return nil // settled before the chain recorded state hashes
	}
	raw, err := src.State(ctx, b.PriorEpoch)
	if err != nil {
		return fmt.Errorf("oracle: replay: %w", err)
	}
	if h := StateHash(raw); !bytes.Equal(h[:], set.StateHash) {
		return ledger.Errorf(CodePriorMismatch, "replay epoch %d: published state of epoch %d hashes to %x, the chain settled %x",
			epoch, b.PriorEpoch, h[:], set.StateHash)
	}
	states, err := DecodeStates(raw)
	if err != nil {
		return err
	}
	for _, k := range b.Kinds {
		if !bytes.Equal(k.State, StateOf(states, k.Name)) {
			return ledger.Errorf(CodePriorMismatch, "replay epoch %d: bundle starts kind %s from another state than epoch %d settled", epoch, k.Name, b.PriorEpoch)
		}
	}
	return nil
}

// sameSegments checks the bundle lists exactly the committed segments.
func sameSegments(epoch uint64, listed, committed []segment.Ref) error {
	for i := range max(len(listed), len(committed)) {
		switch {
		case i >= len(listed):
			return ledger.Errorf(CodeBundleMismatch, "replay epoch %d: committed segment %x is missing from the bundle", epoch, committed[i].Hash[:])
		case i >= len(committed):
			return ledger.Errorf(CodeBundleMismatch, "replay epoch %d: bundle segment %x was never committed", epoch, listed[i].Hash[:])
		case listed[i] != committed[i]:
			return ledger.Errorf(CodeBundleMismatch, "replay epoch %d: bundle segment %d is %x, the chain committed %x",
				epoch, i, listed[i].Hash[:], committed[i].Hash[:])
		}
	}
	return nil
}

func fetchSegment(ctx context.Context, src Source, ref segment.Ref, epoch uint64) (*ingestv1.Segment, error) {
	raw, err := src.Segment(ctx, ref.Hash)
	if err != nil {
		return nil, fmt.Errorf("oracle: replay: %w", err)
	}
	return segment.Verify(raw, ref, epoch)
}

// priorManifest fetches the previous manifest and checks its root against
// the chain's settlement and the bundle.
func priorManifest(ctx context.Context, chain Chain, src Source, b *Bundle, epoch uint64) ([]reward.Entry, error) {
	if !b.HasPrior {
		if epoch > 0 {
			if _, err := chain.Settlement(ctx, epoch-1); err == nil {
				return nil, ledger.Errorf(CodePriorMismatch, "replay epoch %d: bundle names no prior manifest but epoch %d is settled", epoch, epoch-1)
			}
		}
		return nil, nil
	}
	if b.PriorEpoch >= epoch {
		return nil, ledger.Errorf(CodePriorMismatch, "replay epoch %d: prior epoch %d is not before it", epoch, b.PriorEpoch)
	}
	set, err := chain.Settlement(ctx, b.PriorEpoch)
	if err != nil {
		return nil, ledger.Errorf(CodePriorMismatch, "replay epoch %d: prior epoch %d: %v", epoch, b.PriorEpoch, err)
	}
	if set.Root != b.PriorRoot {
		return nil, ledger.Errorf(CodePriorMismatch, "replay epoch %d: bundle names prior root %s, the chain settled epoch %d at %s",
			epoch, b.PriorRoot, b.PriorEpoch, set.Root)
	}
	raw, err := src.Manifest(ctx, b.PriorEpoch)
	if err != nil {
		return nil, fmt.Errorf("oracle: replay: %w", err)
	}
	m, err := reward.DecodeManifest(raw)
	if err != nil {
		return nil, err
	}
	if m.Root() != set.Root {
		return nil, ledger.Errorf(CodePriorMismatch, "replay epoch %d: published manifest of epoch %d has root %s, the chain settled %s",
			epoch, b.PriorEpoch, m.Root(), set.Root)
	}
	return m.Entries, nil
}

// diffManifests lists the devices whose cumulative totals differ between
// the published manifest and the replay, sorted by device.
func diffManifests(ctx context.Context, src Source, epoch uint64, published []reward.Entry, out EpochOutput) []DeviceDiff {
	mine := out.Reward.Manifest.Entries
	var diffs []DeviceDiff
	i, j := 0, 0
	for i < len(published) || j < len(mine) {
		var d DeviceDiff
		var dev ledger.Address
		c := 0
		switch {
		case i == len(published):
			c = 1
		case j == len(mine):
			c = -1
		default:
			c = bytes.Compare(published[i].Device[:], mine[j].Device[:])
		}
		switch {
		case c < 0:
			dev, d.Published = published[i].Device, published[i].Cumulative
			i++
		case c > 0:
			dev, d.Replayed = mine[j].Device, mine[j].Cumulative
			j++
		default:
			dev, d.Published, d.Replayed = mine[j].Device, published[i].Cumulative, mine[j].Cumulative
			i++
			j++
			if d.Published == d.Replayed {
				continue
			}
		}
		d.Device = dev.String()
		d.Reports = reportDiffs(ctx, src, epoch, dev, &out)
		diffs = append(diffs, d)
	}
	if diffs == nil {
		diffs = []DeviceDiff{}
	}
	return diffs
}

// reportDiffs compares a device's replayed verdicts with the published
// explanation when the source serves one, else lists the replayed ones.
func reportDiffs(ctx context.Context, src Source, epoch uint64, dev ledger.Address, mine *EpochOutput) []ReportDiff {
	e, _ := mine.Explanation(dev)
	var theirs []ReportReason
	ex, ok := src.(Explainer)
	if ok {
		pub, err := ex.Explanation(ctx, epoch, dev)
		ok = err == nil
		theirs = pub.Reports
	}
	out := []ReportDiff{}
	pub := make(map[string]ReportReason, len(theirs))
	for _, r := range theirs {
		pub[r.ID] = r
	}
	for _, r := range e.Reports {
		p, had := pub[r.ID]
		delete(pub, r.ID)
		if ok && had && p.Reason == r.Reason && p.Share == r.Share {
			continue
		}
		d := ReportDiff{ID: r.ID, Role: r.Role, Replayed: r.Reason, ReplayedShare: r.Share, Detail: r.Detail}
		if had {
			d.Published, d.PublishedShare = p.Reason, p.Share
		}
		out = append(out, d)
	}
	for _, r := range theirs {
		if _, left := pub[r.ID]; left {
			out = append(out, ReportDiff{ID: r.ID, Role: r.Role, Published: r.Reason, PublishedShare: r.Share, Detail: r.Detail})
		}
	}
	return out
}
