package ingest

import (
	"context"
	"sync"
	"testing"
	"time"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// stallCommitter blocks every Commit until release is closed, as a
// commitment to a halted chain does.
type stallCommitter struct {
	release chan struct{}
	once    sync.Once
	started chan struct{}
}

func (c *stallCommitter) Commit(ctx context.Context, _ Commitment) error {
	c.once.Do(func() { close(c.started) })
	select {
	case <-c.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestBatcherCatchesUpAfterStall: while a commitment stalls the batcher,
// batches pile up in the log. Once it resumes they are older than
// SegmentMaxAge, and the consumer delivered each with nothing pending; the
// batcher must still cut the backlog into one segment, not one per message
// (which, with a commitment per segment, never catches up).
func TestBatcherCatchesUpAfterStall(t *testing.T) {
	f := newFleet(4)
	cfg := testConfig(t)
	cfg.SegmentMaxAge = 100 * time.Millisecond
	e := newEnv(t, cfg, f)
	sc := &stallCommitter{release: make(chan struct{}), started: make(chan struct{})}
	e.svc.batcher.committer = sc
	e.svc.deps.Now, e.svc.batcher.now = time.Now, time.Now
	stop := e.run(t)
	defer stop()
	ent := ref(e.chain)
	submit := func() {
		var b []*reportv1.SignedReport
		for i := range 4 {
			b = append(b, f.heartbeat(i, ent))
		}
		res, err := e.svc.Submit(context.Background(), b)
		if err != nil || res[0].Status != ingestv1.Status_STATUS_ACCEPTED {
			t.Fatalf("submit: %v %v", err, res)
		}
	}
	submit()
	select { // the first segment is cut and its commitment stalls
	case <-sc.started:
	case <-time.After(20 * time.Second):
		t.Fatal("no commitment started")
	}
	const backlog = 20
	for range backlog {
		submit()
	}
	time.Sleep(3 * cfg.SegmentMaxAge) // the backlog is now old
	close(sc.release)
	deadline := time.Now().Add(20 * time.Second)
	for {
		segs := e.svc.store.all()
		var n uint64
		for _, s := range segs {
			n += s.Count
		}
		if n == 4*(backlog+1) {
			if got := len(segs) - 1; got > 1 {
				t.Errorf("got the backlog of %d messages in %d segments, want 1", backlog, got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d of %d records in segments after 20s", n, 4*(backlog+1))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
