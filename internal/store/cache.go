package store

import (
	"bytes"
	"sync"
)

// readCache remembers committed values (and committed absences) of keys
// read recently, so that the point reads every transaction repeats (params,
// the fee collector's balance, sequences) skip Pebble. Profiles of
// `depin bench ledger` showed store.Get at about 40 µs of each transfer's
// CPU before the cache (BENCHMARKS.md).
//
// It changes speed, never results: Commit writes each key of a block into
// the cache under the same lock that bumps gen, and a Get that read Pebble
// before a Commit finished (gen moved on) does not store what it read. The
// cache holds at most max entries and is dropped whole when full.
type readCache struct {
	mu   sync.Mutex
	gen  uint64
	max  int
	vals map[string]cached
}

// cached is a value; absent marks a key known not to exist.
type cached struct {
	val    []byte
	absent bool
}

// readCacheEntries bounds the cache: a few tens of MB of small values.
const readCacheEntries = 1 << 17

func newReadCache(max int) *readCache {
	return &readCache{max: max, vals: make(map[string]cached)}
}

// get returns a copy of the cached value of key, whether the key is cached,
// and the generation to pass to put after a miss.
func (c *readCache) get(key []byte) (val []byte, hit bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.vals[string(key)]
	if !ok {
		return nil, false, c.gen
	}
	if e.absent {
		return nil, true, c.gen
	}
	return bytes.Clone(e.val), true, c.gen
}

// put stores what a Get read from Pebble at generation gen (nil: absent),
// unless a Commit has happened since.
func (c *readCache) put(key, val []byte, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	c.store(key, val, val == nil)
}

// store caches a value or an absence. An empty value is not cached (the
// next Get asks Pebble), so that nil and empty stay exactly as Pebble
// returns them.
func (c *readCache) store(key, val []byte, absent bool) {
	if !absent && len(val) == 0 {
		delete(c.vals, string(key))
		return
	}
	if len(c.vals) >= c.max {
		c.vals = make(map[string]cached)
	}
	c.vals[string(key)] = cached{val: bytes.Clone(val), absent: absent}
}

// update is called by Commit after the batch is durable: it records the new
// value of each written key already cached and starts a new generation.
func (c *readCache) update(set func(fn func(key, val []byte, deleted bool))) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	set(func(key, val []byte, deleted bool) {
		if _, ok := c.vals[string(key)]; ok {
			c.store(key, val, deleted)
		}
	})
}
