package bench

import "testing"

// TestRunMarket runs the market benchmark small: every due lease is
// settled in the measured blocks, the invariants hold after them, and the
// report has one row per size and the ratio. No time is asserted.
func TestRunMarket(t *testing.T) {
	rep, runs, err := RunMarket(MarketConfig{Sizes: []int{200, 2_000}, Due: 20, Blocks: 15, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[1].Leases != 2_000 || runs[1].Settled != 300 || runs[0].Sweep <= 0 {
		t.Fatalf("runs %+v", runs)
	}
	if len(rep.Rows) != 3 || rep.Rows[2].Figure <= 0 {
		t.Fatalf("report %+v", rep.Rows)
	}
	if _, _, err := RunMarket(MarketConfig{Sizes: []int{210}, Due: 20, Blocks: 1}); err == nil {
		t.Fatal("a size that is not a multiple of due was accepted")
	}
}
