package oracle

import (
	"context"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
)

// Block is what the bundle records of a chain block: the entropy a report
// answers.
type Block struct {
	Height int64
	Hash   [32]byte
	Time   int64 // Unix nanoseconds
}

// Submission is an oracle's result for an epoch (MsgSubmitRoot).
type Submission struct {
	Epoch         uint64
	Root          reward.Hash
	ScorerVersion uint32
	// Pools are the device pools in the epoch's order with what their
	// devices earned; DeviceTotal is their sum.
	Pools       []reward.PoolTotal
	DeviceTotal uint64
	InputsHash  [32]byte
	// StateHash is the hash of the kinds' states the epoch leaves.
	StateHash [32]byte
}

// Ledger is what the oracle service needs of the chain: Chain (epochs
// with the params they recorded, settlements, segment commitments) plus the
// registry as of a height, blocks, the grace window, and a way to submit a
// root signed with the oracle key.
type Ledger interface {
	score.Chain
	// Height is the latest committed height.
	Height(ctx context.Context) (int64, error)
	// GraceBlocks is how long after an epoch ends its segments may still
	// be committed.
	GraceBlocks(ctx context.Context) (int64, error)
	// Block returns a committed block's hash and time.
	Block(ctx context.Context, height int64) (Block, error)
	// Devices lists the devices of a kind active at the end of height, as
	// registered then (owner, location, attributes, denylist), in any
	// order.
	Devices(ctx context.Context, kind string, height int64) ([]kind.Device, error)
	// NextToSettle is the epoch the chain settles next.
	NextToSettle(ctx context.Context) (uint64, error)
	// SubmitRoot sends the oracle's result. Submitting the same content
	// twice, or for an epoch already settled with it, is not an error.
	SubmitRoot(ctx context.Context, s Submission) error
}
