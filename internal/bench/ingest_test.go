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
	if got := len(rep.Rows); got != 1 {
		t.Errorf("got %d rows, want 1", got)
	}
}
