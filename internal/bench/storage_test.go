package bench

import (
	"context"
	"testing"
)

// TestStorageBenchRuns runs the storage benchmark at a small size: every
// row has a positive figure and the file comes back whole.
func TestStorageBenchRuns(t *testing.T) {
	rep, err := RunStorage(context.Background(), StorageConfig{Size: 3 << 20, K: 2, N: 4, Proofs: 1000, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 3 {
		t.Fatalf("%d rows", len(rep.Rows))
	}
	for _, r := range rep.Rows {
		if r.Figure <= 0 {
			t.Errorf("%s: figure %v", r.Name, r.Figure)
		}
	}
}
