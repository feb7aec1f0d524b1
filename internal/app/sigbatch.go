package app

import (
	"runtime"
	"sync"

	"github.com/depin-network/depin/internal/sig"
)

// sigBatcher verifies the signatures of concurrent CheckTx calls together:
// batch ed25519 verification costs about half as much per signature as
// verifying one at a time (BENCHMARKS.md, ledger), and the node's mempool
// runs CheckTx from many goroutines at once. It waits for nobody: the
// first caller to find no batch running becomes the leader and verifies
// whatever has queued up by then, its own signature included, then the
// next queue, and so on; callers arriving meanwhile wait for the leader's
// answer. A leader alone yields its processor once first (runtime.Gosched),
// so that calls already running can join its batch. A leader whose own answer is known hands the lead to the next
// waiting caller after two rounds, so that no caller verifies for others
// for long. The answer for each signature is the one sig.Verify gives
// (ZIP-215 makes batch and single verification agree, and a failed batch
// is verified entry by entry).
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
	if len(b.queue) == 1 {
		// Alone: let the other runnable goroutines (CheckTx calls that
		// decoded their transaction meanwhile) queue up first. On a
		// saturated machine calls overlap only when one yields.
		b.mu.Unlock()
		runtime.Gosched()
		b.mu.Lock()
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
