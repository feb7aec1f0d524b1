package bench

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestMemorySmoke onboards 1,000 devices in a node's genesis, restarts the
// node on that state, commits transfers on it, and checks that all devices
// are registered and active, every transfer succeeded, and the figures were
// read (RSS positive and at most the peak of its phase).
func TestMemorySmoke(t *testing.T) {
	cfg := DefaultMemoryConfig()
	cfg.Devices, cfg.Blocks, cfg.Transfers, cfg.BlockTime = 1000, 2, 50, 10*time.Millisecond
	cfg.Dir = nodeDir(t)
	_, run, err := RunMemory(context.Background(), cfg)
	if err != nil {
		t.Fatalf("RunMemory: %v", err)
	}
	if run.Registered != 1000 || run.Active != 1000 {
		t.Errorf("got %d devices registered and %d active, want 1000 and 1000", run.Registered, run.Active)
	}
	if run.TransfersOK != 50 {
		t.Errorf("got %d transfers ok, want 50", run.TransfersOK)
	}
	for name, s := range map[string]MemorySample{"import": run.Import, "restart": run.Restart} {
		if s.RSS == 0 || s.Peak < s.RSS || s.HeapInuse == 0 {
			t.Errorf("%s: got VmRSS %d, VmHWM %d, heap %d; want a positive RSS at most the peak and a heap", name, s.RSS, s.Peak, s.HeapInuse)
		}
	}
}

// nodeDir is a temporary directory for node homes. CometBFT's address book
// saves itself from a goroutine that Node.Wait does not wait for, so a file
// may appear just after a node stopped; removal is retried for up to a
// second instead of failing the test.
func nodeDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "depin-bench-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if err = os.RemoveAll(dir); err == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("remove %s: %v", dir, err)
	})
	return dir
}
