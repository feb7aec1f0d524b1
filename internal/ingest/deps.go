package ingest

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/kind"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// DeviceInfo is what ingest needs to know about a registered device.
type DeviceInfo struct {
	// Decommissioned devices may no longer report.
	Decommissioned bool
}

// Registry answers whether a device public key is registered. The node
// implements it from chain state. It must be safe for concurrent use.
type Registry interface {
	Device(pub []byte) (DeviceInfo, bool)
}

// Entropy reports the chain head and the hash of recent blocks. It must be
// safe for concurrent use.
type Entropy interface {
	// Height is the current chain height.
	Height() int64
	// BlockHash returns the hash of the block at height, if known.
	BlockHash(height int64) ([]byte, bool)
}

// Epochs maps a chain height to its reward epoch.
type Epochs interface {
	Epoch(height int64) uint64
}

// Commitment is what the batcher commits on chain for a segment.
type Commitment struct {
	Epoch      uint64
	Hash       [32]byte
	MerkleRoot [32]byte
	Count      uint64
}

// Committer sends a segment commitment to the chain (the node signs it as a
// transaction with the ingest operator key). Commit must be idempotent: after
// a crash the batcher may commit a segment again.
type Committer interface {
	Commit(ctx context.Context, c Commitment) error
}

// Deps are the services ingest calls. Now defaults to time.Now. Log is the
// durable log; nil opens the NATS log that Config describes. The Service
// closes whichever log it uses. Oracles may read segments before they are
// public (access.go); nil: nobody may.
type Deps struct {
	Log      Log
	Oracles  Oracles
	Registry Registry
	// Kinds check report bodies (internal/chain.Kinds).
	Kinds     *kind.Registry
	Entropy   Entropy
	Epochs    Epochs
	Committer Committer
	Now       func() time.Time
	// Tap, if set, is handed the reports of each batch that ingest
	// accepted, once they are durable (the data service follows readings
	// through it). It runs on the submit path and must not block.
	Tap func(reports []*reportv1.Report)
}

// FixedEpochs numbers epochs of Length blocks: epoch = height / Length.
type FixedEpochs struct{ Length int64 }

// Epoch implements Epochs.
func (e FixedEpochs) Epoch(height int64) uint64 {
	if e.Length <= 0 || height <= 0 {
		return 0
	}
	return uint64(height / e.Length)
}

// MemRegistry is an in-memory Registry for tests and tools.
type MemRegistry struct {
	mu      sync.RWMutex
	devices map[[32]byte]DeviceInfo
}

// NewMemRegistry returns an empty registry.
func NewMemRegistry() *MemRegistry {
	return &MemRegistry{devices: make(map[[32]byte]DeviceInfo)}
}

// Put registers or updates a device.
func (r *MemRegistry) Put(pub []byte, info DeviceInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.devices[[32]byte(pub)] = info
}

// Device implements Registry.
func (r *MemRegistry) Device(pub []byte) (DeviceInfo, bool) {
	if len(pub) != 32 {
		return DeviceInfo{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	info, ok := r.devices[[32]byte(pub)]
	return info, ok
}

// MemEntropy is an in-memory chain of block hashes for tests and tools.
type MemEntropy struct {
	mu     sync.RWMutex
	height int64
	hashes map[int64][]byte
}

// NewMemEntropy returns a chain with no blocks (height 0).
func NewMemEntropy() *MemEntropy {
	return &MemEntropy{hashes: make(map[int64][]byte)}
}

// Append adds the next block with the given hash and returns its height.
func (e *MemEntropy) Append(hash []byte) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.height++
	e.hashes[e.height] = bytes.Clone(hash)
	return e.height
}

// Height implements Entropy.
func (e *MemEntropy) Height() int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.height
}

// BlockHash implements Entropy.
func (e *MemEntropy) BlockHash(height int64) ([]byte, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	h, ok := e.hashes[height]
	return h, ok
}

// RecordingCommitter records commitments, for tests. After SetFail(err)
// with a non-nil err, Commit returns err and records nothing.
type RecordingCommitter struct {
	mu    sync.Mutex
	calls []Commitment
	fail  error
}

// Commit implements Committer.
func (c *RecordingCommitter) Commit(_ context.Context, cm Commitment) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.calls = append(c.calls, cm)
	return nil
}

// SetFail sets the error Commit returns (nil to succeed).
func (c *RecordingCommitter) SetFail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = err
}

// Calls returns the recorded commitments in order.
func (c *RecordingCommitter) Calls() []Commitment {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Commitment(nil), c.calls...)
}

// MemOracles is an in-memory oracle set for tests and tools.
type MemOracles struct {
	mu   sync.RWMutex
	keys map[[32]byte]bool
}

// NewMemOracles returns a set holding pubs.
func NewMemOracles(pubs ...[]byte) *MemOracles {
	o := &MemOracles{keys: make(map[[32]byte]bool)}
	for _, p := range pubs {
		o.keys[[32]byte(p)] = true
	}
	return o
}

// IsOracle implements Oracles.
func (o *MemOracles) IsOracle(pub []byte) bool {
	if len(pub) != 32 {
		return false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.keys[[32]byte(pub)]
}
