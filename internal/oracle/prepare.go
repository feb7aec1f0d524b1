package oracle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
)

// SegmentSource serves segment files by hash (ingest's GET
// /v1/segments/{hash}; HTTPSource implements it).
type SegmentSource interface {
	Segment(ctx context.Context, hash [32]byte) ([]byte, error)
}

// Published is everything the oracle publishes for an epoch.
type Published struct {
	Epoch      uint64
	Bundle     []byte
	BundleHash [32]byte
	Manifest   []byte
	// Segments are the verified segment files in commit order.
	Segments [][]byte
	Output   score.EpochOutput
}

// Submission returns the MsgSubmitRoot content of the epoch.
func (p *Published) Submission() Submission {
	pools, total := score.DevicePoolsPaid(&p.Output.Reward)
	return Submission{
		Epoch: p.Epoch, Root: p.Output.Root, ScorerVersion: p.Output.Reward.ScorerVersion,
		Pools: pools, DeviceTotal: total, InputsHash: p.BundleHash,
	}
}

// ErrNotReady is wrapped by Prepare when the epoch has not ended.
var ErrNotReady = errors.New("not ready")

// Prepare gathers epoch n's inputs as of now (the oracle calls it right
// after the segment grace window): the committed segments, fetched and
// verified; the chain blocks the reports answer; the registry and params;
// the prior epoch's activity and manifest (prior, nil for the first epoch
// the oracle scores). It freezes them into a bundle and runs the pipeline
// with the current scorer. slack widens the epoch's receive window on
// both sides beyond the block times of its first and last heights, for the
// skew between ingest's clock and block time.
func Prepare(ctx context.Context, l Ledger, segs SegmentSource, kinds *kind.Registry, n uint64, prior *Published, slack time.Duration, geo kind.Geo) (*Published, error) {
	info, err := l.Epoch(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	if !info.Ended {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w: the epoch has not ended", n, ErrNotReady)
	}
	refs, err := l.Segments(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	pub := &Published{Epoch: n}
	var reps segment.Reports
	for _, ref := range refs {
		raw, err := segs.Segment(ctx, ref.Hash)
		if err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
		}
		seg, err := segment.Verify(raw, ref, n)
		if err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
		}
		reps.Add(kinds, seg)
		pub.Segments = append(pub.Segments, raw)
	}
	first, err := l.Block(ctx, info.StartHeight)
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: first block: %w", n, err)
	}
	last, err := l.Block(ctx, info.EndHeight)
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: last block: %w", n, err)
	}
	b := &score.Bundle{
		Epoch: n, ScorerVersion: score.CurrentScorer, StartHeight: info.StartHeight, EndHeight: info.EndHeight,
		Start: first.Time - int64(slack), End: last.Time + int64(slack) + 1,
		Emission: info.Emission, Pools: info.Pools, Segments: refs,
	}
	for _, h := range reps.EntropyHeights() {
		blk, err := l.Block(ctx, int64(h))
		if errors.Is(err, score.ErrNotFound) {
			continue // the scorer marks its beacons unknown_entropy
		}
		if err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: entropy block %d: %w", n, h, err)
		}
		b.Entropy = append(b.Entropy, kind.Entropy{Height: h, Hash: blk.Hash, Time: blk.Time})
	}
	for _, k := range kinds.Kinds() {
		ki := score.KindInputs{Name: k.Name(), ScorerVersion: kind.Current(k)}
		if ki.Devices, err = l.Devices(ctx, k.Name()); err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
		}
		if ki.Params, err = l.Params(ctx, k.Specs()); err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
		}
		if err := kind.Validate(k, ki.Params); err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
		}
		if prior != nil {
			ki.State = prior.Output.State(k.Name())
		}
		b.Kinds = append(b.Kinds, ki)
	}
	var priorEntries []reward.Entry
	if prior != nil {
		b.HasPrior, b.PriorEpoch, b.PriorRoot = true, prior.Epoch, prior.Output.Root
		priorEntries = prior.Output.Reward.Manifest.Entries
	}
	b.Normalize()
	if pub.Bundle, err = score.EncodeBundle(b); err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	pub.BundleHash = score.BundleHash(pub.Bundle)
	out, err := score.Run(score.EpochInputs{Bundle: b, Reports: reps, Prior: priorEntries, Kinds: kinds, Geo: geo})
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	out.Summary.InputsHash = fmt.Sprintf("%x", pub.BundleHash)
	pub.Output = out
	pub.Manifest = reward.EncodeManifest(&out.Reward.Manifest)
	return pub, nil
}
