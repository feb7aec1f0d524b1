package indexer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/depin-network/depin/internal/ledger"
)

// ErrNotFound is returned by a Source for a height it does not have yet,
// and by the read methods for a missing row.
var ErrNotFound = errors.New("not found")

// Block is a committed block with its results, as the indexer stores it.
type Block struct {
	Height int64
	// Time is the block time in Unix nanoseconds.
	Time     int64
	Hash     string // upper-case hex, as CometBFT prints it
	Proposer string // upper-case hex validator address
	Txs      []Tx
	// Events are the block's own events (end block).
	Events []ledger.Event
}

// Tx is a transaction with its result.
type Tx struct {
	Raw    []byte
	Code   uint32
	Log    string
	Events []ledger.Event
}

// Source hands the indexer committed blocks.
type Source interface {
	// Head returns the last committed height.
	Head(ctx context.Context) (int64, error)
	// Block returns the block at height with its results; ErrNotFound if
	// the height is not committed yet.
	Block(ctx context.Context, height int64) (*Block, error)
}

// Oracle hands the indexer the oracle's published explanations of a
// settled epoch, as JSON: the summary object and the array of per-device
// explanations. ErrNotFound if the oracle has not published the epoch.
type Oracle interface {
	Summary(ctx context.Context, epoch uint64) ([]byte, error)
	Explanations(ctx context.Context, epoch uint64) ([]byte, error)
}

// MemSource is an in-memory Source: blocks appended in height order from 1.
// Tests and benchmarks fill it from a real app.
type MemSource struct {
	mu      sync.RWMutex
	blocks  []*Block
	genesis *Genesis
}

// Append adds the next block; its height must follow the last one.
func (m *MemSource) Append(b *Block) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if want := int64(len(m.blocks)) + 1; b.Height != want {
		return fmt.Errorf("indexer: mem source: append height %d, want %d", b.Height, want)
	}
	m.blocks = append(m.blocks, b)
	return nil
}

// Head implements Source.
func (m *MemSource) Head(context.Context) (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.blocks)), nil
}

// Block implements Source.
func (m *MemSource) Block(_ context.Context, h int64) (*Block, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if h < 1 || h > int64(len(m.blocks)) {
		return nil, fmt.Errorf("indexer: block %d: %w", h, ErrNotFound)
	}
	return m.blocks[h-1], nil
}

// MemOracle is an in-memory Oracle keyed by epoch.
type MemOracle struct {
	mu        sync.RWMutex
	summaries map[uint64][]byte
	explained map[uint64][]byte
}

// Publish stores an epoch's summary and explanations.
func (m *MemOracle) Publish(epoch uint64, summary, explanations []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.summaries == nil {
		m.summaries, m.explained = map[uint64][]byte{}, map[uint64][]byte{}
	}
	m.summaries[epoch], m.explained[epoch] = summary, explanations
}

// Summary implements Oracle.
func (m *MemOracle) Summary(_ context.Context, epoch uint64) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if b, ok := m.summaries[epoch]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("indexer: epoch %d summary: %w", epoch, ErrNotFound)
}

// Explanations implements Oracle.
func (m *MemOracle) Explanations(_ context.Context, epoch uint64) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if b, ok := m.explained[epoch]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("indexer: epoch %d explanations: %w", epoch, ErrNotFound)
}

// Genesis is what the indexer keeps of the chain's genesis.
type Genesis struct {
	ChainID  string
	Denom    string
	Decimals uint32
	// Supply is the sum of the genesis balances.
	Supply uint64
}

// GenesisSource is a Source that can also tell the genesis; the indexer
// records it once, before the first block, so that supply can be followed
// from mint and burn events.
type GenesisSource interface {
	Genesis(ctx context.Context) (Genesis, error)
}

// SetGenesis makes m a GenesisSource answering g.
func (m *MemSource) SetGenesis(g Genesis) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.genesis = &g
}

// Genesis implements GenesisSource.
func (m *MemSource) Genesis(context.Context) (Genesis, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.genesis == nil {
		return Genesis{}, fmt.Errorf("indexer: mem source: genesis: %w", ErrNotFound)
	}
	return *m.genesis, nil
}
