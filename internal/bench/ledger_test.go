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

// TestPairRows checks that several pairs report the pair with the median
// ratio, every ratio in run order, and median CPU per transaction.
func TestPairRows(t *testing.T) {
	run := func(ok int, secs float64, cpuMs int) LedgerRun {
		return LedgerRun{Txs: ok, OK: ok, Elapsed: time.Duration(secs * float64(time.Second)), CPU: time.Duration(cpuMs) * time.Millisecond}
	}
	ps := []ledgerPair{
		{fig: run(1000, 1, 150), base: run(1000, 0.5, 90)},  // 0.50
		{fig: run(1000, 1, 140), base: run(1000, 0.8, 100)}, // 0.80
		{fig: run(1000, 1, 160), base: run(1000, 0.6, 95)},  // 0.60
	}
	rows := pairRows(1, ps)
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	if got, want := rows[0].Ratio(), 0.6; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("throughput ratio: got %.3f, want the median pair's %.2f", got, want)
	}
	if !strings.Contains(rows[0].Note, "ratios in run order: 0.50 0.80 0.60") {
		t.Errorf("note lacks the pairs' ratios: %q", rows[0].Note)
	}
	if rows[1].Figure != 150 || rows[1].Baseline != 95 || rows[1].HigherIsBetter() {
		t.Errorf("CPU row: got %v µs against %v (higher is better %v), want the medians 150 against 95, lower is better", rows[1].Figure, rows[1].Baseline, rows[1].HigherIsBetter())
	}
	one := pairRows(4, ps[:1])
	if one[0].Ratio() != 0.5 || strings.Contains(one[0].Note, "median") {
		t.Errorf("one pair: got ratio %.2f, note %q; want that pair's 0.50 and no median", one[0].Ratio(), one[0].Note)
	}
}
