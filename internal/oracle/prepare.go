package oracle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

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
	Epoch uint64
	// Bundle is the canonical inputs bundle (Prepare); BundleObject
	// instead names it in the store when PrepareTo wrote it there.
	Bundle       []byte
	BundleObject string
	BundleHash   [32]byte
	Manifest     []byte
	// States are the kinds' states the epoch leaves for the next
	// (score.EncodeStates), StateHash their hash.
	States    []byte
	StateHash [32]byte
	// Segments are the verified segment files in commit order (Prepare);
	// SegmentObjects instead name them in the store when PrepareTo stored
	// each as it was verified, so that they are never all held at once.
	Segments       [][]byte
	SegmentObjects []string
	Output         score.EpochOutput
}

// Submission returns the MsgSubmitRoot content of the epoch.
func (p *Published) Submission() Submission {
	pools, total := score.DevicePoolsPaid(&p.Output.Reward)
	return Submission{
		Epoch: p.Epoch, Root: p.Output.Root, ScorerVersion: p.Output.Reward.ScorerVersion,
		Pools: pools, DeviceTotal: total, InputsHash: p.BundleHash, StateHash: p.StateHash,
	}
}

// ErrNotReady is wrapped by Prepare when the epoch has not ended.
var ErrNotReady = errors.New("not ready")

// Prepare gathers epoch n's inputs from the chain and freezes them into a
// bundle, then runs the pipeline. Everything the result depends on is the
// chain's, as of the epoch's end height, so every oracle that prepares the
// epoch, whenever it does, builds the same bundle (docs/proof-of-coverage.md,
// "Why oracles agree"):
//
//   - the committed segments, fetched and verified against their
//     commitments, and the chain blocks the reports answer;
//   - the emission, pools, each kind's params and scorer version, the
//     receive-time slack and the block times of its first and last
//     heights, recorded in the epoch by the chain;
//   - each kind's devices as registered at the end height (their region
//     and other attributes are the kind's, asserted on chain);
//   - the prior epoch's settled manifest and kind states (LoadPrior; nil
//     for epoch 0).
func Prepare(ctx context.Context, l Ledger, segs SegmentSource, kinds *kind.Registry, n uint64, prior *Prior, geo kind.Geo) (*Published, error) {
	var mem memorySink
	pub, err := PrepareTo(ctx, l, segs, kinds, n, prior, geo, &mem)
	if pub != nil {
		pub.Segments, pub.Bundle = mem.segments, mem.bundle
	}
	return pub, err
}

// Sink keeps what Prepare publishes as it is produced, so that an epoch's
// segments and bundle (gigabytes and hundreds of megabytes for a million
// devices) are never all held: the oracle's store writes them to disk.
type Sink interface {
	// Segment keeps a verified segment file, in commit order.
	Segment(raw []byte) error
	// Bundle keeps the bytes write produces (the canonical bundle) and
	// returns the name it keeps them under.
	Bundle(write func(io.Writer) error) (string, error)
}

// memorySink holds what Prepare publishes, for Published.Segments and
// Published.Bundle.
type memorySink struct {
	segments [][]byte
	bundle   []byte
}

func (m *memorySink) Segment(raw []byte) error {
	m.segments = append(m.segments, raw)
	return nil
}

func (m *memorySink) Bundle(write func(io.Writer) error) (string, error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return "", err
	}
	m.bundle = buf.Bytes()
	return "", nil
}

// PrepareTo is Prepare handing each segment to sink as soon as it is
// verified, and the bundle as it is encoded, instead of holding them in
// Published.Segments and Published.Bundle.
func PrepareTo(ctx context.Context, l Ledger, segs SegmentSource, kinds *kind.Registry, n uint64, prior *Prior, geo kind.Geo, sink Sink) (*Published, error) {
	info, err := l.Epoch(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	if !info.Ended {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w: the epoch has not ended", n, ErrNotReady)
	}
	if (prior == nil) != (n == 0) || (prior != nil && prior.Epoch+1 != n) {
		return nil, fmt.Errorf("oracle: prepare epoch %d: the prior must be the settled result of epoch %d", n, n-1)
	}
	start, end, err := score.Window(info)
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare: %w", err)
	}
	refs, err := l.Segments(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	pub := &Published{Epoch: n}
	// The kinds that collect take their reports as each segment is
	// decoded: the epoch's reports are never all held as a list.
	reps := segment.Collecting()
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
		if err := sink.Segment(raw); err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
		}
	}
	b := &score.Bundle{
		Epoch: n, ScorerVersion: score.CurrentScorer, StartHeight: info.StartHeight, EndHeight: info.EndHeight,
		Start: start, End: end,
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
		ki := score.KindInputs{Name: k.Name()}
		if ki.Params, ki.ScorerVersion, err = score.KindParams(info, k); err != nil {
			return nil, fmt.Errorf("oracle: prepare: %w", err)
		}
		if ki.Devices, err = l.Devices(ctx, k.Name(), info.EndHeight); err != nil {
			return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
		}
		if prior != nil {
			ki.State = score.StateOf(prior.States, k.Name())
		}
		b.Kinds = append(b.Kinds, ki)
	}
	var priorEntries []reward.Entry
	if prior != nil {
		b.HasPrior, b.PriorEpoch, b.PriorRoot = true, prior.Epoch, prior.Root
		priorEntries = prior.Entries
	}
	b.Normalize()
	out, err := score.Run(score.EpochInputs{Bundle: b, Reports: reps, Prior: priorEntries, Kinds: kinds, Geo: geo})
	if err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	// Encoded once scored, and streamed to the sink: its bytes (about 300
	// per device) are not held.
	h := sha256.New()
	if pub.BundleObject, err = sink.Bundle(func(w io.Writer) error {
		return score.WriteBundle(io.MultiWriter(w, h), b)
	}); err != nil {
		return nil, fmt.Errorf("oracle: prepare epoch %d: %w", n, err)
	}
	h.Sum(pub.BundleHash[:0])
	out.Summary.InputsHash = fmt.Sprintf("%x", pub.BundleHash)
	pub.Output = out
	pub.Manifest = reward.EncodeManifest(&out.Reward.Manifest)
	pub.States = score.EncodeStates(out.States())
	pub.StateHash = score.StateHash(pub.States)
	return pub, nil
}
