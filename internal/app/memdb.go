package app

import (
	"bytes"

	"github.com/depin-network/depin/internal/ledger"
)

// MemBackend is an in-memory Backend for tests, simulations and the
// multi-instance determinism harness.
type MemBackend struct {
	*ledger.MemStore
	height  int64
	appHash []byte
}

// NewMemBackend returns an empty in-memory backend.
func NewMemBackend() *MemBackend { return &MemBackend{MemStore: ledger.NewMemStore()} }

// LastCommit implements Backend.
func (m *MemBackend) LastCommit() (int64, []byte) { return m.height, m.appHash }

// Commit implements Backend.
func (m *MemBackend) Commit(height int64, appHash []byte, state, index []ledger.Write) error {
	for _, ws := range [][]ledger.Write{state, index} {
		for _, w := range ws {
			if w.Delete {
				m.MemStore.Delete(w.Key)
			} else {
				m.MemStore.Set(w.Key, w.Value)
			}
		}
	}
	m.height, m.appHash = height, bytes.Clone(appHash)
	return nil
}
