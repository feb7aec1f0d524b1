package oracle

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
)

// An epoch's totals add to the previous epoch's settled manifest, and each
// kind's scorer starts from the state the previous epoch settled (coverage:
// who was active). The oracle loads both from the settled result, checked
// against the chain (the manifest against the settled root, the states
// against the settled state hash), never from its own last output: an
// oracle that disagreed once, lost its data or had it tampered with would
// otherwise score every later epoch from another start and never agree
// again.

// Errors LoadPrior wraps; the service reports which one stops it.
var (
	// ErrPriorUnsettled: the previous epoch has no settled root yet.
	ErrPriorUnsettled = errors.New("the previous epoch is not settled")
	// ErrPriorMismatch: no source served the previous epoch's settled
	// manifest and states (what they served, if anything, differs from the
	// chain's settlement).
	ErrPriorMismatch = errors.New("the previous epoch's settled result is not available")
)

// SettledSource serves an epoch's manifest and kind states: the oracle's
// own store, or another oracle's API (replay.HTTPSource). What it serves is
// checked against the chain before use.
type SettledSource interface {
	Manifest(ctx context.Context, epoch uint64) ([]byte, error)
	State(ctx context.Context, epoch uint64) ([]byte, error)
}

// Prior is the settled result of the epoch before the one scored.
type Prior struct {
	Epoch    uint64
	Root     reward.Hash
	Manifest []byte
	Entries  []reward.Entry
	// States are the kinds' states the epoch left, and StatesRaw their
	// canonical encoding (score.EncodeStates).
	States    []score.KindState
	StatesRaw []byte
	// From is the index of the source that served it.
	From int
}

// LoadPrior returns the settled result of epoch n-1 (nil for epoch 0)
// from the first source whose manifest has the settled root and whose
// states have the settled state hash. It wraps ErrPriorUnsettled while
// n-1 is not settled, and ErrPriorMismatch, naming what each source
// served, when no source has it.
func LoadPrior(ctx context.Context, chain score.Chain, n uint64, sources ...SettledSource) (*Prior, error) {
	if n == 0 {
		return nil, nil
	}
	set, err := chain.Settlement(ctx, n-1)
	if errors.Is(err, score.ErrNotFound) {
		return nil, fmt.Errorf("oracle: prior of epoch %d: %w: epoch %d has no settled root yet", n, ErrPriorUnsettled, n-1)
	}
	if err != nil {
		return nil, fmt.Errorf("oracle: prior of epoch %d: %w", n, err)
	}
	var why []error
	for i, src := range sources {
		p, err := loadFrom(ctx, src, set)
		if err == nil {
			p.From = i
			return p, nil
		}
		why = append(why, fmt.Errorf("source %d: %w", i, err))
	}
	if len(sources) == 0 {
		why = append(why, errors.New("no source to load it from"))
	}
	return nil, fmt.Errorf("oracle: prior of epoch %d: %w: %w", n, ErrPriorMismatch, errors.Join(why...))
}

func loadFrom(ctx context.Context, src SettledSource, set score.Settlement) (*Prior, error) {
	mb, err := src.Manifest(ctx, set.Epoch)
	if err != nil {
		return nil, err
	}
	m, err := reward.DecodeManifest(mb)
	if err != nil {
		return nil, err
	}
	if m.Root() != set.Root {
		return nil, fmt.Errorf("manifest of epoch %d has root %s, the chain settled %s", set.Epoch, m.Root(), set.Root)
	}
	sb, err := src.State(ctx, set.Epoch)
	if err != nil {
		return nil, err
	}
	if h := score.StateHash(sb); set.StateHash != nil && !bytes.Equal(h[:], set.StateHash) {
		return nil, fmt.Errorf("states of epoch %d hash to %x, the chain settled %x", set.Epoch, h[:], set.StateHash)
	}
	states, err := score.DecodeStates(sb)
	if err != nil {
		return nil, err
	}
	return &Prior{Epoch: set.Epoch, Root: set.Root, Manifest: mb, Entries: m.Entries, States: states, StatesRaw: sb}, nil
}
