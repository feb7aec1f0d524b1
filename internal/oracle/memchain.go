package oracle

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
)

// MemChain is an in-memory Ledger for tests and tools: a single oracle
// whose first submission for an epoch settles it. Safe for concurrent use.
type MemChain struct {
	mu          sync.Mutex
	height      int64
	grace       int64
	epochs      map[uint64]score.EpochInfo
	segments    map[uint64][]segment.Ref
	settled     map[uint64]score.Settlement
	blocks      map[int64]Block
	devices     map[string][]kind.Device
	params      map[string]uint64
	submissions []Submission
	claimed     map[ledger.Address]uint64
}

// NewMemChain returns an empty chain at height 0 with default params.
func NewMemChain() *MemChain {
	return &MemChain{
		epochs: map[uint64]score.EpochInfo{}, segments: map[uint64][]segment.Ref{},
		settled: map[uint64]score.Settlement{}, blocks: map[int64]Block{},
		devices: map[string][]kind.Device{}, params: map[string]uint64{},
	}
}

// AddBlock records a block and raises the height to it.
func (c *MemChain) AddBlock(b Block) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocks[b.Height] = b
	c.height = max(c.height, b.Height)
}

// SetGrace sets the segment grace window in blocks.
func (c *MemChain) SetGrace(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.grace = n
}

// SetEpoch records an epoch.
func (c *MemChain) SetEpoch(e score.EpochInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.Pools = slices.Clone(e.Pools)
	c.epochs[e.Number] = e
}

// CommitSegment appends a segment commitment to an epoch.
func (c *MemChain) CommitSegment(epoch uint64, ref segment.Ref) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.segments[epoch] = append(c.segments[epoch], ref)
}

// SetDevices replaces the registry of a kind.
func (c *MemChain) SetDevices(kind string, d []kind.Device) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.devices[kind] = slices.Clone(d)
}

// SetParam sets a param; params never set read as their defaults.
func (c *MemChain) SetParam(name string, v uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.params[name] = v
}

// SetSettlement records a settlement directly (to test replay against a
// chain that disagrees).
func (c *MemChain) SetSettlement(s score.Settlement) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settled[s.Epoch] = s
	if e, ok := c.epochs[s.Epoch]; ok {
		e.Settled = true
		c.epochs[s.Epoch] = e
	}
}

// Submissions returns the submissions received, in order.
func (c *MemChain) Submissions() []Submission {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.submissions)
}

// Epoch implements Chain.
func (c *MemChain) Epoch(_ context.Context, n uint64) (score.EpochInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.epochs[n]
	if !ok {
		return score.EpochInfo{}, fmt.Errorf("memchain: epoch %d: %w", n, score.ErrNotFound)
	}
	e.Pools = slices.Clone(e.Pools)
	return e, nil
}

// Segments implements Chain.
func (c *MemChain) Segments(_ context.Context, n uint64) ([]segment.Ref, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.segments[n]), nil
}

// Settlement implements Chain.
func (c *MemChain) Settlement(_ context.Context, n uint64) (score.Settlement, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.settled[n]
	if !ok {
		return score.Settlement{}, fmt.Errorf("memchain: settlement of epoch %d: %w", n, score.ErrNotFound)
	}
	return s, nil
}

// Height implements Ledger.
func (c *MemChain) Height(context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.height, nil
}

// GraceBlocks implements Ledger.
func (c *MemChain) GraceBlocks(context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.grace, nil
}

// Block implements Ledger.
func (c *MemChain) Block(_ context.Context, h int64) (Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.blocks[h]
	if !ok {
		return Block{}, fmt.Errorf("memchain: block %d: %w", h, score.ErrNotFound)
	}
	return b, nil
}

// Devices implements Ledger.
func (c *MemChain) Devices(_ context.Context, kind string) ([]kind.Device, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.devices[kind]), nil
}

// Params implements Ledger.
func (c *MemChain) Params(_ context.Context, specs []params.Spec) (kind.Params, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return kind.Lookup(specs, func(s params.Spec) uint64 {
		if v, ok := c.params[s.Name]; ok {
			return v
		}
		return s.Default
	}), nil
}

// SubmitRoot implements Ledger: the first submission settles the epoch.
func (c *MemChain) SubmitRoot(_ context.Context, s Submission) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.epochs[s.Epoch]
	if !ok || !e.Ended {
		return fmt.Errorf("memchain: submit root: epoch %d has not ended", s.Epoch)
	}
	c.submissions = append(c.submissions, s)
	if _, done := c.settled[s.Epoch]; !done {
		c.settled[s.Epoch] = score.Settlement{Epoch: s.Epoch, Root: s.Root, ScorerVersion: s.ScorerVersion, InputsHash: s.InputsHash[:]}
		e.Settled = true
		c.epochs[s.Epoch] = e
	}
	return nil
}

// Claim implements ClaimSender with the chain's rule: the proof must hold
// against the latest settled root and the cumulative total must exceed
// what the device claimed before. Errors are *ledger.Error values with
// the reward module's codes.
func (c *MemChain) Claim(_ context.Context, _ sig.PrivateKey, p replay.ClaimProof) error {
	dev, err := ledger.ParseAddress(p.Device)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "device: %v", err)
	}
	mp, err := p.MerkleProof()
	if err != nil {
		return ledger.Errorf(ledger.CodeMalformed, "%v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var latest *score.Settlement
	for e, s := range c.settled {
		if latest == nil || e > latest.Epoch {
			s := s
			latest = &s
		}
	}
	if latest == nil {
		return ledger.Errorf(reward.CodeNoSettledRoot, "no epoch is settled yet")
	}
	if !reward.VerifyProof(latest.Root, dev, p.Cumulative, mp) {
		return ledger.Errorf(reward.CodeBadProof, "device %s with cumulative %d is not in the manifest of epoch %d", dev, p.Cumulative, latest.Epoch)
	}
	if c.claimed == nil {
		c.claimed = map[ledger.Address]uint64{}
	}
	if p.Cumulative <= c.claimed[dev] {
		return ledger.Errorf(reward.CodeNothingToClaim, "device %s claimed %d already", dev, c.claimed[dev])
	}
	c.claimed[dev] = p.Cumulative
	return nil
}

// Claimed returns the cumulative total a device has claimed.
func (c *MemChain) Claimed(dev ledger.Address) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.claimed[dev]
}

// LatestSettled returns the latest settled epoch, and false if none.
func (c *MemChain) LatestSettled() (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best uint64
	ok := false
	for e := range c.settled {
		if !ok || e > best {
			best, ok = e, true
		}
	}
	return best, ok
}
