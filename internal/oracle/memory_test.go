package oracle

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
)

// segmentsLedger answers only Segments, which limitMemory reads.
type segmentsLedger struct {
	Ledger
	refs []segment.Ref
}

func (l segmentsLedger) Segments(context.Context, uint64) ([]segment.Ref, error) { return l.refs, nil }

func TestLimitMemoryFromCommittedReports(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	tests := []struct {
		name   string
		live   uint64 // the process's live heap before the epoch
		counts []uint64
		capMiB int64
		want   int64 // -1: the limit before, unchanged
	}{
		{"small epoch: the floor", 0, []uint64{1000, 2000}, 1800, score.MinMemoryLimit},
		{"small epoch in a node: the floor over its heap", 40 << 20, []uint64{1000, 2000}, 1800, 40<<20 + score.MinMemoryLimit},
		{"2M reports: twice their live heap", 0, []uint64{1_500_000, 500_000}, 1800, 2 * 2_000_000 * score.OracleBytesPerReport},
		{"2M reports in a node: over its heap", 100 << 20, []uint64{1_500_000, 500_000}, 1800, 100<<20 + 2*2_000_000*score.OracleBytesPerReport},
		{"11M reports: the cap", 0, []uint64{5_000_000, 6_000_000}, 1800, 1800 << 20},
		{"11M reports over a node's heap do not fit the cap: no limit", 400 << 20, []uint64{5_000_000, 6_000_000}, 1800, -1},
		{"13M reports do not fit the cap: no limit", 0, []uint64{7_000_000, 6_000_000}, 1800, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var refs []segment.Ref
			for _, c := range tt.counts {
				refs = append(refs, segment.Ref{Count: c})
			}
			s := &Service{cfg: Config{MemoryLimitCapMiB: tt.capMiB}, ledger: segmentsLedger{refs: refs},
				heapLive: func() uint64 { return tt.live }}
			restore, err := s.limitMemory(context.Background(), 3)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want < 0 {
				want = before
			}
			if got := debug.SetMemoryLimit(-1); got != want {
				t.Errorf("limit while scoring: got %d, want %d", got, tt.want)
			}
			restore()
			if got := debug.SetMemoryLimit(-1); got != before {
				t.Errorf("limit after: got %d, want %d restored", got, before)
			}
		})
	}
}

// TestMemoryLimitsOverlap holds limits the way services in one process
// score at once: the largest held applies, and the limit from before comes
// back only when the last is lifted, in whatever order they are lifted.
func TestMemoryLimitsOverlap(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	var m memoryLimits
	now := func() int64 { return debug.SetMemoryLimit(-1) }
	liftA := m.hold(300 << 20)
	if now() != 300<<20 {
		t.Fatalf("one held: limit %d", now())
	}
	liftB := m.hold(900 << 20)
	liftC := m.hold(500 << 20)
	if now() != 900<<20 {
		t.Fatalf("three held: limit %d, want the largest", now())
	}
	liftB()
	liftB() // twice is harmless
	if now() != 500<<20 {
		t.Fatalf("largest lifted: limit %d, want the next", now())
	}
	liftA()
	if now() != 500<<20 {
		t.Fatalf("smallest lifted: limit %d, want 500 MiB", now())
	}
	liftC()
	if now() != before {
		t.Fatalf("all lifted: limit %d, want %d from before", now(), before)
	}
}

// TestLiveHeap: the live heap the limit adds to is read from the runtime.
func TestLiveHeap(t *testing.T) {
	hold := make([]byte, 64<<20)
	runtime.GC()
	if got := liveHeap(); got < 64<<20 {
		t.Errorf("live heap %d with 64 MiB held", got)
	}
	runtime.KeepAlive(hold)
}
