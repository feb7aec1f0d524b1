package app

import (
	"bytes"
	"sync"

	"github.com/depin-network/depin/internal/ledger"
)

// MemBackend is an in-memory Backend for tests, simulations and the
// multi-instance determinism harness.
type MemBackend struct {
	*ledger.MemStore
	mu      sync.Mutex // guards height and appHash
	height  int64
	appHash []byte
}

// NewMemBackend returns an empty in-memory backend.
func NewMemBackend() *MemBackend { return &MemBackend{MemStore: ledger.NewSyncMemStore()} }

// LastCommit implements Backend.
func (m *MemBackend) LastCommit() (int64, []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.height, m.appHash
}

// Commit implements Backend. Services reading the committed state from
// other goroutines see a block's writes all at once.
func (m *MemBackend) Commit(height int64, appHash []byte, state []ledger.Write) error {
	m.MemStore.Apply(state)
	m.mu.Lock()
	m.height, m.appHash = height, bytes.Clone(appHash)
	m.mu.Unlock()
	return nil
}
