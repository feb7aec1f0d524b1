package app

import "sync"

// sigShards is the number of independently locked parts of a sigCache.
// CheckTx, DryCheckTx (the RPC's check_tx), PreVerify and the consensus
// connection may run at once on different goroutines, so a lookup locks
// one shard, picked by the hash's first byte, and readers share it.
const sigShards = 16

// sigCache remembers transactions whose signature verified, by tx hash, so
// that each signature is verified once on its way through CheckTx,
// ProcessProposal and FinalizeBlock. Only successes are kept; a miss means
// "verify again", so the cache changes speed, never results. It is safe for
// concurrent use.
type sigCache struct {
	shards [sigShards]sigShard
}

// sigShard holds two generations of hashes: when the current one is full
// it becomes the previous one and the oldest is dropped.
type sigShard struct {
	mu   sync.RWMutex
	max  int
	cur  map[Hash]struct{}
	prev map[Hash]struct{}
}

// newSigCache returns a cache that keeps at least the last max hashes
// added (split evenly over the shards) and at most twice that.
func newSigCache(max int) *sigCache {
	c := &sigCache{}
	per := max / sigShards
	if per < 1 {
		per = 1
	}
	for i := range c.shards {
		c.shards[i] = sigShard{max: per, cur: make(map[Hash]struct{}), prev: make(map[Hash]struct{})}
	}
	return c
}

func (c *sigCache) shard(h Hash) *sigShard { return &c.shards[int(h[0])%sigShards] }

func (c *sigCache) has(h Hash) bool {
	s := c.shard(h)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.cur[h]; ok {
		return true
	}
	_, ok := s.prev[h]
	return ok
}

// add records a verified hash.
func (c *sigCache) add(h Hash) {
	s := c.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cur) >= s.max {
		s.prev, s.cur = s.cur, make(map[Hash]struct{}, s.max)
	}
	s.cur[h] = struct{}{}
}
