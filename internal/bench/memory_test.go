package bench

import (
	"context"
	"testing"
	"time"
)

// TestMemorySmoke onboards 1,000 devices in a node's genesis and checks that
// all of them are registered in committed state and that the figures were
// read.
func TestMemorySmoke(t *testing.T) {
	cfg := DefaultMemoryConfig()
	cfg.Devices, cfg.Blocks, cfg.BlockTime = 1000, 2, 10*time.Millisecond
	cfg.Dir = t.TempDir()
	_, run, err := RunMemory(context.Background(), cfg)
	if err != nil {
		t.Fatalf("RunMemory: %v", err)
	}
	if run.Registered != 1000 {
		t.Errorf("got %d devices registered, want 1000", run.Registered)
	}
	if run.RSS == 0 || run.Peak < run.RSS {
		t.Errorf("got VmRSS %d and VmHWM %d, want a positive RSS at most the peak", run.RSS, run.Peak)
	}
}
