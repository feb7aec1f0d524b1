package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimCLI runs depin sim, compare and sweep on short runs of the
// repository's scenarios and checks what they write.
func TestSimCLI(t *testing.T) {
	home, out := t.TempDir(), t.TempDir()
	boot := filepath.Join("..", "..", "sims", "bootstrap.toml")
	halving := filepath.Join("..", "..", "sims", "halving.toml")

	got := mustRun(t, home, "", "sim", boot, "--days", "40", "--param", "price.volatility=0", "--out", filepath.Join(out, "run"))
	if !strings.Contains(got, "bootstrap") || !strings.Contains(got, "wrote bootstrap.csv") {
		t.Fatalf("sim printed %q", got)
	}
	csv, err := os.ReadFile(filepath.Join(out, "run", "bootstrap.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(csv), "\n"); lines != 41 {
		t.Fatalf("the CSV has %d lines, want a header and 40 days", lines)
	}
	for _, f := range []string{"supply.svg", "emission.svg", "price.svg", "summary.txt"} {
		if fi, err := os.Stat(filepath.Join(out, "run", f)); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}

	got = mustRun(t, home, "", "sim", "compare", boot, halving, "--days", "30", "--out", filepath.Join(out, "cmp"))
	if !strings.Contains(got, "halving") || !strings.Contains(got, "bootstrap") {
		t.Fatalf("compare printed %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "cmp", "compare.txt")); err != nil {
		t.Fatal(err)
	}

	got = mustRun(t, home, "", "sim", "sweep", boot, "--param", "credit.remint_bps=0,10000", "--days", "20", "--out", filepath.Join(out, "sweep"))
	for _, want := range []string{"credit.remint_bps=0", "credit.remint_bps=10000"} {
		if !strings.Contains(got, want) {
			t.Fatalf("sweep printed %q, want a row %q", got, want)
		}
	}

	if _, _, err := cliRun(t, home, "", "sim", boot, "--param", "nonsense.key=1", "--days", "5", "--out", out); err == nil {
		t.Fatalf("an unknown parameter ran")
	}
	if _, _, err := cliRun(t, home, "", "sim", boot, "--proposal", "1", "--out", out); err == nil {
		t.Fatalf("--proposal without --from-node ran")
	}
}
