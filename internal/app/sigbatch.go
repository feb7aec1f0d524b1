package app

import (
	"runtime"
	"sync"

	"github.com/depin-network/depin/internal/sig"
)

// sigBatcher verifies the signatures of concurrent CheckTx calls together:
// batch ed25519 verification costs less per signature the larger the batch
// (30 µs alone, 30 in a batch of 2, 24 in a batch of 4, 20 in a batch of 8
// on the benchmark machine, BENCHMARKS.md "ledger"), and CheckTx may run on
// many goroutines at once (the node's mempool connection checks its queue
// on one goroutine after PreVerify, so there this batcher sees only lone
// signatures). It waits for nobody: the first
// caller to find no batch running becomes the leader and verifies whatever
// has queued up by then, its own signature included, then the next queue,
// and so on; callers arriving meanwhile wait for the leader's answer. A new
// leader first yields its processor (runtime.Gosched) as long as that
// brings more callers, at most maxYields times, so that calls already
// running can join its batch (with 8 RPC clients the mean batch grew from
// about 3.5 to about 4). A leader whose own answer is known hands the lead
// to the next waiting caller after two rounds, so that no caller verifies
// for others for long. The answer for each signature is the one sig.Verify
// gives (ZIP-215 makes batch and single verification agree, and a failed
// batch is verified entry by entry).
type sigBatcher struct {
	mu    sync.Mutex
	queue []*sigReq
	busy  bool // a leader is running
}

type sigReq struct {
	d      *decoded
	ok     bool
	done   bool          // ok is known
	lead   bool          // this caller takes over as leader
	signal chan struct{} // closed when done or lead is set
}

// maxSigBatch bounds one batch.
const maxSigBatch = 64

// maxYields bounds how often a new leader yields its processor to let
// other calls join its batch.
const maxYields = 4

// leaderRounds is how many batches a leader verifies once its own answer is
// known, before handing over to a waiting caller.
const leaderRounds = 2

// verify reports whether d's signature verifies.
func (b *sigBatcher) verify(d *decoded) bool {
	r := &sigReq{d: d, signal: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, r)
	if b.busy {
		b.mu.Unlock()
		<-r.signal
		if r.done {
			return r.ok
		}
		b.mu.Lock() // r.lead: take over, r is still queued
	}
	b.busy = true
	// Let the other runnable goroutines (CheckTx calls that decoded their
	// transaction meanwhile, RPC requests on their way to CheckTx) queue up
	// first: on a saturated machine calls overlap only when one yields.
	// Keep yielding while a yield brings new requests, at most maxYields
	// times; a yield with nothing else runnable returns at once.
	for y, idle := 0, 0; y < maxYields && len(b.queue) < maxSigBatch; y++ {
		n := len(b.queue)
		b.mu.Unlock()
		runtime.Gosched()
		b.mu.Lock()
		if len(b.queue) > n {
			idle = 0
		} else if idle++; idle >= 2 {
			break
		}
	}
	for rounds := 0; ; {
		n := min(len(b.queue), maxSigBatch)
		batch := b.queue[:n:n]
		b.queue = append([]*sigReq(nil), b.queue[n:]...)
		b.mu.Unlock()
		verifyBatch(batch)
		for _, q := range batch {
			if q != r {
				close(q.signal)
			}
		}
		if r.done {
			rounds++
		}
		b.mu.Lock()
		switch {
		case len(b.queue) == 0:
			b.busy = false
			b.mu.Unlock()
			return r.ok
		case r.done && rounds >= leaderRounds:
			next := b.queue[0]
			next.lead = true
			b.mu.Unlock()
			close(next.signal)
			return r.ok
		}
	}
}

// verifyBatch verifies every request's signature and marks it done.
func verifyBatch(batch []*sigReq) {
	if len(batch) == 1 {
		batch[0].ok, batch[0].done = batch[0].d.verify(), true
		return
	}
	bv := sig.NewBatchVerifier()
	for _, q := range batch {
		bv.Add(q.d.tx.PubKey, sig.DomainTx, q.d.tx.Body, q.d.tx.Signature)
	}
	_, each := bv.Verify()
	for i, q := range batch {
		q.ok, q.done = each[i], true
	}
}
