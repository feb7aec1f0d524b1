package score

import (
	"context"
	"errors"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
)

// ErrNotFound is wrapped by Chain and Source methods when what was asked
// for does not exist (yet).
var ErrNotFound = errors.New("not found")

// EpochInfo is a reward epoch as recorded on chain.
type EpochInfo struct {
	Number      uint64
	StartHeight int64
	EndHeight   int64
	// Ended is set once EndHeight's block ran; Emission and Pools are final
	// from then on.
	Ended    bool
	Emission uint64
	Pools    []reward.Pool
	Settled  bool
}

// Settlement is an epoch's settled result as recorded on chain.
type Settlement struct {
	Epoch         uint64
	Root          reward.Hash
	ScorerVersion uint32
	// InputsHash is the agreed hash of the epoch's inputs bundle; nil when
	// the chain does not record one.
	InputsHash []byte
}

// Chain is what replay reads from the ledger. Methods wrap ErrNotFound
// when the epoch, settlement or block does not exist.
type Chain interface {
	Epoch(ctx context.Context, n uint64) (EpochInfo, error)
	// Segments lists the epoch's committed segments in commit order.
	Segments(ctx context.Context, n uint64) ([]segment.Ref, error)
	Settlement(ctx context.Context, n uint64) (Settlement, error)
}

// Source serves what an oracle publishes for each epoch, and segments.
// Methods wrap ErrNotFound when the item does not exist.
type Source interface {
	Bundle(ctx context.Context, epoch uint64) ([]byte, error)
	Manifest(ctx context.Context, epoch uint64) ([]byte, error)
	Segment(ctx context.Context, hash [32]byte) ([]byte, error)
}

// Explainer serves published per-device explanations; replay uses it, when
// its Source implements it, to say why a device differs.
type Explainer interface {
	Explanation(ctx context.Context, epoch uint64, device ledger.Address) (Explanation, error)
}
