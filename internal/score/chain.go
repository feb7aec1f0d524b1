package score

import (
	"context"
	"errors"
	"fmt"

	"github.com/depin-network/depin/internal/kind"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
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
	// StartTime and EndTime are the block times of StartHeight and
	// EndHeight (Unix nanoseconds) as the chain recorded them; 0 until
	// recorded.
	StartTime int64
	EndTime   int64
	// Params are the governed values recorded as the epoch ended (every
	// kind's params and scorer version, the receive-time slack), sorted by
	// name; empty before it ended.
	Params kind.Params
}

// Param returns a value the epoch recorded, and false if it has none.
func (e *EpochInfo) Param(name string) (uint64, bool) { return e.Params.Get(name) }

// EpochFromRecord converts the reward module's epoch record.
func EpochFromRecord(ep *rewardv1.Epoch) EpochInfo {
	info := EpochInfo{Number: ep.Number, StartHeight: ep.StartHeight, EndHeight: ep.EndHeight,
		Ended: ep.Ended, Emission: ep.Emission, Settled: ep.Settled, Pools: reward.PoolsFromProto(ep.Pools),
		StartTime: ep.StartTime, EndTime: ep.EndTime}
	for _, p := range ep.Params {
		info.Params = append(info.Params, kind.Param{Name: p.Name, Value: p.Value})
	}
	return info
}

// Settlement is an epoch's settled result as recorded on chain.
type Settlement struct {
	Epoch         uint64
	Root          reward.Hash
	ScorerVersion uint32
	// InputsHash is the agreed hash of the epoch's inputs bundle; nil when
	// the chain does not record one.
	InputsHash []byte
	// StateHash is the agreed hash of the kinds' states the next epoch
	// starts from (StateHash of EncodeStates); nil when the chain does not
	// record one.
	StateHash []byte
}

// SettlementFromRecord converts the reward module's settlement record.
func SettlementFromRecord(set *rewardv1.Settlement) (Settlement, error) {
	if len(set.Root) != len(reward.Hash{}) {
		return Settlement{}, fmt.Errorf("settlement of epoch %d: root is %d bytes", set.Epoch, len(set.Root))
	}
	out := Settlement{Epoch: set.Epoch, ScorerVersion: set.ScorerVersion, InputsHash: set.InputsHash, StateHash: set.StateHash}
	copy(out.Root[:], set.Root)
	return out, nil
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
	// State serves the kinds' states an epoch left (EncodeStates).
	State(ctx context.Context, epoch uint64) ([]byte, error)
	Segment(ctx context.Context, hash [32]byte) ([]byte, error)
}

// Explainer serves published per-device explanations; replay uses it, when
// its Source implements it, to say why a device differs.
type Explainer interface {
	Explanation(ctx context.Context, epoch uint64, device ledger.Address) (Explanation, error)
}
