package app

import (
	"sync"
	"testing"
)

// TestSigBatcherConcurrent verifies valid and forged signatures from many
// goroutines at once: every caller gets the answer of verifying its own
// signature alone, whether it led a batch, waited, or took over the lead.
func TestSigBatcherConcurrent(t *testing.T) {
	const n = 400
	ds := make([]*decoded, n)
	want := make([]bool, n)
	for i := range ds {
		raw := sendTx(t, i%10, uint64(i), testAddr((i+1)%10), uint64(i+1))
		if i%7 == 3 {
			raw[len(raw)-1] ^= 0x40 // the signature's last byte
		}
		d, e := decode(raw)
		if e != nil {
			t.Fatal(e)
		}
		ds[i], want[i] = d, d.verify()
		if want[i] == (i%7 == 3) {
			t.Fatalf("tx %d: verify %v", i, want[i])
		}
	}
	var b sigBatcher
	got := make([]bool, n)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				got[i] = b.verify(ds[i])
			}
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("tx %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if b.busy || len(b.queue) != 0 {
		t.Fatalf("batcher left busy %v with %d queued", b.busy, len(b.queue))
	}
}
