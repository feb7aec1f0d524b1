package bench

import (
	"context"
	"testing"
)

// TestIngestSmoke runs the ingest benchmark on 1,024 reports and checks that
// every report was verified by the baseline and accepted by the service.
func TestIngestSmoke(t *testing.T) {
	cfg := DefaultIngestConfig()
	cfg.Reports, cfg.Devices, cfg.Batch = 1024, 64, 128
	cfg.Dir = t.TempDir()
	rep, run, err := RunIngest(context.Background(), cfg)
	if err != nil {
		t.Fatalf("RunIngest: %v", err)
	}
	if run.Accepted != cfg.Reports || run.Verified != 2*cfg.Reports {
		t.Errorf("got %d accepted and %d verified, want %d and %d (the baseline runs twice)", run.Accepted, run.Verified, cfg.Reports, 2*cfg.Reports)
	}
	want := 1
	if run.ServedCPU > 0 && run.BaselineCPU > 0 {
		want = 2 // the CPU row, where CPU time is measured
	}
	if got := len(rep.Rows); got != want {
		t.Errorf("got %d rows, want %d", got, want)
	}
}
