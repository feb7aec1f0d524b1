package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/bench"
)

// TestBenchCompareCmd writes two runs as --output json does and compares
// them both ways: the run that lost 20% of its ratio is flagged (non-zero
// exit), the reverse is not.
func TestBenchCompareCmd(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, fig float64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep := &bench.Report{Title: "ledger", Rows: []bench.Row{{Name: "depin, 1 validator(s)", Figure: fig, Unit: "tx/s", Baseline: 10000}}}
		if err := rep.WriteJSON(f, bench.LoadAverage()); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, bad := write("good.json", 6000), write("bad.json", 4800)
	out, _, err := cliRun(t, dir, "", "bench", "compare", good, bad)
	if err == nil || !strings.Contains(out, "LOSS > 10%") || !strings.Contains(out, "20.0% worse") {
		t.Fatalf("loss not flagged (err %v):\n%s", err, out)
	}
	out, _, err = cliRun(t, dir, "", "bench", "compare", bad, good)
	if err != nil || strings.Contains(out, "LOSS") || !strings.Contains(out, "25.0% better") {
		t.Fatalf("gain flagged (err %v):\n%s", err, out)
	}
}
