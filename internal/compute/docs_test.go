package compute

import (
	"flag"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables of docs/compute.md")

const docPath = "../../docs/compute.md"

// CatchPercent is 100 × (1 − (1 − bps/10,000)^k), the chance that a
// provider cheating on k unverified tasks is sampled at least once, in
// hundredths of a percent rounded down.
func CatchPercent(bps uint64, k int) uint64 {
	miss := new(big.Rat).SetFrac64(int64(10_000-bps), 10_000)
	p := big.NewRat(1, 1)
	for i := 0; i < k; i++ {
		p.Mul(p, miss)
	}
	caught := new(big.Rat).Sub(big.NewRat(1, 1), p)
	caught.Mul(caught, big.NewRat(10_000, 1))
	return new(big.Int).Quo(caught.Num(), caught.Denom()).Uint64()
}

func generated() map[string]string {
	var ps strings.Builder
	ps.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range Specs() {
		fmt.Fprintf(&ps, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	var cs strings.Builder
	cs.WriteString("| code | name |\n|---:|---|\n")
	for c := ledger.Code(700); c < 740; c++ {
		if n := c.String(); !strings.HasPrefix(n, "code_") {
			fmt.Fprintf(&cs, "| %d | `%s` |\n", c, n)
		}
	}
	ks := []int{1, 5, 10, 20, 64}
	var ct strings.Builder
	ct.WriteString("| `compute.sample_bps` (s) |")
	for _, k := range ks {
		fmt.Fprintf(&ct, " k = %d |", k)
	}
	ct.WriteString("\n|---:|")
	for range ks {
		ct.WriteString("---:|")
	}
	ct.WriteString("\n")
	for _, bps := range []uint64{100, 500, SampleBps.Default, 2_000, 5_000} {
		def := ""
		if bps == SampleBps.Default {
			def = " (default)"
		}
		fmt.Fprintf(&ct, "| %d%s |", bps, def)
		for _, k := range ks {
			c := CatchPercent(bps, k)
			fmt.Fprintf(&ct, " %d.%02d%% |", c/100, c%100)
		}
		ct.WriteString("\n")
	}
	return map[string]string{"params": ps.String(), "codes": cs.String(), "catch": ct.String()}
}

// TestDocTables checks that docs/compute.md states the code's parameters,
// codes and catch probabilities; -update-docs rewrites them.
func TestDocTables(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for name, want := range generated() {
		begin, end := "<!-- BEGIN "+name+" -->\n", "<!-- END "+name+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("docs/compute.md has no %q ... %q section", begin, end)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !*updateDocs {
				t.Errorf("docs/compute.md section %s is out of date: run go test ./internal/compute -run TestDocTables -update-docs", name)
				continue
			}
			doc = doc[:i+len(begin)] + want + doc[j:]
		}
	}
	if *updateDocs {
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCatchPercent(t *testing.T) {
	for _, c := range []struct {
		bps  uint64
		k    int
		want uint64
	}{{1_000, 1, 1_000}, {1_000, 2, 1_900}, {5_000, 3, 8_750}, {10_000, 1, 10_000}, {0, 50, 0}} {
		if got := CatchPercent(c.bps, c.k); got != c.want {
			t.Errorf("CatchPercent(%d, %d) = %d, want %d", c.bps, c.k, got, c.want)
		}
	}
}
