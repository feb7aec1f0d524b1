package bench

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestLedgerSmoke runs the ledger benchmark at a tiny size on one and four
// validators and checks that every transfer committed with code 0 on both
// applications. It asserts counts, never timing.
func TestLedgerSmoke(t *testing.T) {
	cfg := DefaultLedgerConfig()
	cfg.Txs, cfg.Senders, cfg.Workers = 200, 50, 4
	cfg.Validators = []int{1, 4}
	cfg.Dir = t.TempDir()
	cfg.Timeout = time.Minute
	if testing.Short() {
		cfg.Validators = []int{1}
	}
	rep, runs, err := RunLedger(context.Background(), cfg)
	if err != nil {
		t.Fatalf("RunLedger: %v", err)
	}
	if got, want := len(runs), 2*len(cfg.Validators)+1; got != want { // + the serialized-CheckTx run
		t.Fatalf("got %d runs, want %d", got, want)
	}
	for _, r := range runs {
		if r.OK != cfg.Txs {
			t.Errorf("%s with %d validator(s): got %d txs ok, want %d", r.App, r.Validators, r.OK, cfg.Txs)
		}
		if r.Blocks < 1 {
			t.Errorf("%s with %d validator(s): got %d blocks, want at least 1", r.App, r.Validators, r.Blocks)
		}
	}
	var out strings.Builder
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "cometbft kvstore") {
		t.Errorf("report lacks the baseline:\n%s", out.String())
	}
	t.Log("\n" + out.String())
}
