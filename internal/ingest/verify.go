package ingest

import (
	"crypto/rand"
	"crypto/sha256"
	"runtime"
	"sync"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
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
	var buf []byte
	for i := range pubs {
		ek := c.get(pubs[i])
		if ek == nil {
			continue
		}
		// The verifier hashes the message when it is added, so one
		// buffer serves every entry.
		buf = appendSignBytes(buf[:0], Domain, msgs[i])
		bv.AddExpandedWithOptions(ek, buf, sigs[i], zip215)
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

// appendSignBytes appends sig.SignBytes(domain, msg) to b.
func appendSignBytes(b []byte, domain string, msg []byte) []byte {
	b = append(b, domain...)
	b = append(b, 0)
	return append(b, msg...)
}

// minVerifyPart is the smallest part a batch is split into for verification
// on several cores: batch verification costs less per signature the larger
// the batch (reference/engineering.md §3: 64 signatures 12.9 µs each, 1024
// 8.6 µs with cached keys), so parts stay a few hundred signatures.
const minVerifyPart = 256

// verify batch-verifies the signatures of the reports still in the running.
// A batch is split across the cores that no other batch is verifying on,
// one voi batch per part.
func (s *Service) verify(items []item) {
	idx := make([]int, 0, len(items))
	for i := range items {
		if items[i].rej == nil {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return
	}
	busy := int(s.verifying.Add(1)) - 1
	defer s.verifying.Add(-1)
	parts := verifyParts(len(idx), busy, runtime.GOMAXPROCS(0))
	if parts == 1 {
		s.verifyPart(items, idx)
		return
	}
	var wg sync.WaitGroup
	size := (len(idx) + parts - 1) / parts
	for lo := size; lo < len(idx); lo += size {
		part := idx[lo:min(lo+size, len(idx))]
		wg.Go(func() { s.verifyPart(items, part) })
	}
	s.verifyPart(items, idx[:size])
	wg.Wait()
}

// verifyParts is the number of parts to verify n signatures in while busy
// other batches are verifying on procs cores: one per idle core, each of at
// least minVerifyPart signatures.
func verifyParts(n, busy, procs int) int {
	return min(max(procs-busy, 1), max(n/minVerifyPart, 1))
}

// verifyPart verifies the items at idx as one batch and sets the key and
// report digest of each valid one. Parts touch disjoint items.
func (s *Service) verifyPart(items []item, idx []int) {
	pubs := make([][]byte, len(idx))
	msgs := make([][]byte, len(idx))
	sigs := make([][]byte, len(idx))
	for j, i := range idx {
		pubs[j], msgs[j], sigs[j] = items[i].rep.GetPubKey(), items[i].signed.GetReport(), items[i].signed.GetSignature()
	}
	valid := s.keys.verifyBatch(pubs, msgs, sigs)
	for j, i := range idx {
		it := &items[i]
		if !valid[j] {
			it.rej = reject(ingestv1.Status_STATUS_BAD_SIGNATURE, "signature does not verify for pub_key %x", pubs[j])
			continue
		}
		it.pub = [32]byte(pubs[j])
		it.digest = sha256.Sum256(msgs[j])
	}
}
