package ingest

import (
	"crypto/rand"
	"sync"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/depin-network/depin/internal/sig"
)

// zip215 are the verification rules of internal/sig: ZIP-215, for single and
// batch verification alike (reference/engineering.md §3).
var zip215 = &ed25519.Options{Verify: ed25519.VerifyOptionsZIP_215}

// keyCache keeps expanded device public keys: decompressing a key is about a
// third of a batch verification's cost per signature, and devices report
// again and again (reference/engineering.md §3: 11.5 → 8.6 µs per signature
// with cached keys). internal/sig.BatchVerifier takes compressed keys only,
// so the cached path calls curve25519-voi with sig's rules and domain.
type keyCache struct {
	mu  sync.RWMutex
	m   map[[32]byte]*ed25519.ExpandedPublicKey
	max int
}

func newKeyCache(max int) *keyCache {
	return &keyCache{m: make(map[[32]byte]*ed25519.ExpandedPublicKey), max: max}
}

// get returns the expanded key, or nil if pub is not a point.
func (c *keyCache) get(pub []byte) *ed25519.ExpandedPublicKey {
	k := [32]byte(pub)
	c.mu.RLock()
	ek, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return ek
	}
	ek, err := ed25519.NewExpandedPublicKey(pub)
	if err != nil {
		return nil
	}
	if c.max <= 0 {
		return ek
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for old := range c.m { // evict one arbitrary key: the cache only saves work
			delete(c.m, old)
			break
		}
	}
	c.m[k] = ek
	return ek
}

// verifyBatch batch-verifies signatures over sig.SignBytes(Domain, msg) under
// ZIP-215 and returns the validity of each. A key that is not a point fails.
func (c *keyCache) verifyBatch(pubs, msgs, sigs [][]byte) []bool {
	bv := ed25519.NewBatchVerifierWithCapacity(len(pubs))
	valid := make([]bool, len(pubs))
	idx := make([]int, 0, len(pubs))
	for i := range pubs {
		ek := c.get(pubs[i])
		if ek == nil {
			continue
		}
		bv.AddExpandedWithOptions(ek, sig.SignBytes(Domain, msgs[i]), sigs[i], zip215)
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return valid
	}
	_, ok := bv.Verify(rand.Reader)
	for j, i := range idx {
		valid[i] = ok[j]
	}
	return valid
}
