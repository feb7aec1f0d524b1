package bench

import (
	"context"
	"testing"
)

// TestStorageBenchRuns runs the storage benchmark at a small size: every
// row has a positive figure, put and get have a baseline, and the file
// comes back whole in every run.
func TestStorageBenchRuns(t *testing.T) {
	rep, err := RunStorage(context.Background(), StorageConfig{Size: 3 << 20, K: 2, N: 4, Proofs: 1000, Reps: 2, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 4 && len(rep.Rows) != 6 {
		t.Fatalf("%d rows", len(rep.Rows))
	}
	for i, r := range rep.Rows {
		if r.Figure <= 0 {
			t.Errorf("%s: figure %v", r.Name, r.Figure)
		}
		if i < 3 && r.Baseline <= 0 {
			t.Errorf("%s: no baseline", r.Name)
		}
	}
}
