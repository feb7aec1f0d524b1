package app

import "sync"

// sigCache remembers transactions whose signature verified, by tx hash, so
// that each signature is verified once on its way through CheckTx,
// ProcessProposal and FinalizeBlock. Only successes are kept; a miss means
// "verify again", so the cache changes speed, never results.
type sigCache struct {
	mu   sync.Mutex
	max  int
	cur  map[Hash]struct{}
	prev map[Hash]struct{}
}

func newSigCache(max int) *sigCache {
	return &sigCache{max: max, cur: make(map[Hash]struct{}), prev: make(map[Hash]struct{})}
}

func (c *sigCache) has(h Hash) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[h]; ok {
		return true
	}
	_, ok := c.prev[h]
	return ok
}

// add records a verified hash; when the current generation is full it
// becomes the previous one and the oldest generation is dropped.
func (c *sigCache) add(h Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.max {
		c.prev, c.cur = c.cur, make(map[Hash]struct{}, c.max)
	}
	c.cur[h] = struct{}{}
}
