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
// cache holds at most maxEntries entries and maxBytes bytes (keys, values
// and a per-entry overhead) and is dropped whole when either would be
// exceeded; a value above maxValue is never cached.
type readCache struct {
	mu         sync.Mutex
	gen        uint64
	maxEntries int
	maxBytes   int
	bytes      int
	vals       map[string]cached
}

// cached is a value; absent marks a key known not to exist.
type cached struct {
	val    []byte
	absent bool
}

// Bounds of the cache. The values every transaction reads are small (a
// balance, a sequence, a parameter: tens of bytes), so 131,072 entries
// cover a block's working set; the byte bound keeps large values (a
// transaction record, a device) from growing it past 32 MiB, and a value
// above maxCachedValue is read from Pebble (its block cache) each time.
const (
	readCacheEntries = 1 << 17
	readCacheBytes   = 32 << 20
	maxCachedValue   = 16 << 10
	// entryOverhead approximates a map entry's own cost: the key's string
	// header, the cached struct and the bucket slot.
	entryOverhead = 64
)

func newReadCache(maxEntries, maxBytes int) *readCache {
	return &readCache{maxEntries: maxEntries, maxBytes: maxBytes, vals: make(map[string]cached)}
}

// reset drops every entry and starts a new generation, so that no Get in
// flight caches what it read before.
func (c *readCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.vals = make(map[string]cached)
	c.bytes = 0
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

// store caches a value or an absence. An empty value and a value above
// maxCachedValue are not cached (the next Get asks Pebble), so that nil and
// empty stay exactly as Pebble returns them.
func (c *readCache) store(key, val []byte, absent bool) {
	if old, ok := c.vals[string(key)]; ok {
		delete(c.vals, string(key))
		c.bytes -= entrySize(key, old.val)
	}
	if !absent && (len(val) == 0 || len(val) > maxCachedValue) {
		return
	}
	n := entrySize(key, val)
	if n > c.maxBytes {
		return
	}
	if len(c.vals) >= c.maxEntries || c.bytes+n > c.maxBytes {
		c.vals = make(map[string]cached)
		c.bytes = 0
	}
	c.vals[string(key)] = cached{val: bytes.Clone(val), absent: absent}
	c.bytes += n
}

func entrySize(key, val []byte) int { return len(key) + len(val) + entryOverhead }

// update is called by Commit after the batch is durable: it records the new
// value of each written key already cached and starts a new generation.
func (c *readCache) update(set func(fn func(key, val []byte, deleted bool))) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	set(c.refresh)
}

// refresh records the new value of key if key is cached. The caller holds
// c.mu, or is the only user of the cache.
func (c *readCache) refresh(key, val []byte, deleted bool) {
	if _, ok := c.vals[string(key)]; ok {
		c.store(key, val, deleted)
	}
}
