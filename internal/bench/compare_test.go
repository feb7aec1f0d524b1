package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestResultJSONRoundTrip(t *testing.T) {
	rep := &Report{Title: "t", Rows: []Row{
		{Name: "depin", Figure: 8000, Unit: "tx/s", Baseline: 16000, BaselineName: "kvstore", Note: "n"},
		{Name: "peak heap", Figure: 512, Unit: "MiB"},
	}}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf, []float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	res, err := ReadResult(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || res.Rows[0].Ratio != 0.5 || !res.Rows[0].HigherIsBetter || res.Rows[1].HigherIsBetter ||
		res.Rows[1].Ratio != 0 || res.LoadBefore[2] != 3 || res.Title != "t" {
		t.Fatalf("round trip: %+v", res)
	}
	if _, err := ReadResult(strings.NewReader(`{"title":"x","surprise":1}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
}

func TestCompareResults(t *testing.T) {
	mk := func(rows ...Row) Result { return (&Report{Title: "t", Rows: rows}).ToResult(nil, time.Unix(0, 0)) }
	old := mk(
		Row{Name: "rate", Figure: 8000, Unit: "tx/s", Baseline: 10000},        // ratio 0.8, higher better
		Row{Name: "scaling", Figure: 10, Unit: "s", Baseline: 1},              // ratio 10, lower better
		Row{Name: "heap", Figure: 1000, Unit: "MiB"},                          // no baseline, load-free
		Row{Name: "wall", Figure: 3, Unit: "s"},                               // no baseline, load-bound: skipped
		Row{Name: "gone", Figure: 1, Unit: "tx/s", Baseline: 1},               // only in old: skipped
		Row{Name: "steady", Figure: 9000, Unit: "reports/s", Baseline: 10000}, // unchanged
	)
	cur := mk(
		Row{Name: "rate", Figure: 7000, Unit: "tx/s", Baseline: 10000}, // 0.7: lost 12.5%
		Row{Name: "scaling", Figure: 10.5, Unit: "s", Baseline: 1},     // 10.5: lost 5%
		Row{Name: "heap", Figure: 1200, Unit: "MiB"},                   // lost 20%
		Row{Name: "wall", Figure: 30, Unit: "s"},
		Row{Name: "steady", Figure: 18000, Unit: "reports/s", Baseline: 20000},
	)
	diffs := CompareResults(old, cur, DefaultMaxLoss)
	got := map[string]Diff{}
	for _, d := range diffs {
		got[d.Name] = d
	}
	if len(diffs) != 4 {
		t.Fatalf("compared %d rows, want 4: %+v", len(diffs), diffs)
	}
	check := func(name string, loss float64, flagged bool) {
		t.Helper()
		d, ok := got[name]
		if !ok {
			t.Fatalf("%s not compared", name)
		}
		if d.Loss < loss-1e-9 || d.Loss > loss+1e-9 || d.Flagged != flagged {
			t.Errorf("%s: loss %v flagged %v, want %v %v", name, d.Loss, d.Flagged, loss, flagged)
		}
	}
	check("rate", 0.125, true)
	check("scaling", 0.05, false)
	check("heap", 0.2, true)
	check("steady", 0, false)
	var out bytes.Buffer
	n, err := PrintDiffs(&out, old, cur, diffs, DefaultMaxLoss)
	if err != nil || n != 2 || strings.Count(out.String(), "LOSS") != 2 {
		t.Fatalf("printed %d flagged (%v):\n%s", n, err, out.String())
	}
	// The other way round, the losses are gains and nothing is flagged.
	for _, d := range CompareResults(cur, old, DefaultMaxLoss) {
		if d.Flagged {
			t.Errorf("reverse: %s flagged", d.Name)
		}
	}
}
