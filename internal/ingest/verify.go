package ingest

import (
	"crypto/sha256"
	"runtime"
	"sync"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

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
	valid := s.keys.VerifyBatch(Domain, pubs, msgs, sigs)
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
