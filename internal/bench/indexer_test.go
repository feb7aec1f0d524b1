package bench

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRunIndexer runs the indexer benchmark small: the chain is indexed,
// every page answers 200 (the module pages with the node's state, not its
// absence) and the report has a row per page. No time is asserted.
func TestRunIndexer(t *testing.T) {
	rep, err := RunIndexer(context.Background(), IndexerConfig{Devices: 200, Blocks: 400, Requests: 3, BlockTime: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]Row{}
	for _, r := range rep.Rows {
		rows[r.Name] = r
	}
	for _, page := range []string{"home", "device", "market", "storage", "storage deal", "storage file", "storage provider",
		"compute", "compute job", "relay", "relay relay", "energy", "energy clearing", "validators"} {
		r, ok := rows["p95 "+page]
		if !ok || r.Figure <= 0 {
			t.Errorf("no p95 row for %s: %+v", page, r)
		}
	}
	if r := rows["p95 storage"]; !strings.Contains(r.Note, "node state read in process") {
		t.Errorf("storage row note %q", r.Note)
	}
}
