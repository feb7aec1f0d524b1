package mobile

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables of docs/mobile.md")

const docPath = "../../../docs/mobile.md"

func docTables() map[string]string {
	var ps strings.Builder
	ps.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range Specs() {
		fmt.Fprintf(&ps, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	d := DefaultParams()
	var ts strings.Builder
	ts.WriteString("| tier | download at least | upload at least | latency below | multiplier |\n|---|---:|---:|---:|---:|\n")
	for _, t := range d.Tiers() {
		fmt.Fprintf(&ts, "| %s | %d Mbit/s | %d Mbit/s | %d ms | %d bps |\n", t.Name, t.MinDownMbps, t.MinUpMbps, t.MaxLatencyMs, t.MultiplierBps)
	}
	ts.WriteString("| fail | otherwise | | | 0 |\n")
	var rs strings.Builder
	rs.WriteString("| reason | judges | meaning | parameters |\n|---|---|---|---|\n")
	for _, r := range Reasons {
		level := "report"
		if r.Radio {
			level = "radio"
		}
		var ps []string
		for _, p := range r.Params {
			ps = append(ps, "`"+Name+"."+p+"`")
		}
		fmt.Fprintf(&rs, "| `%s` | %s | %s | %s |\n", r.Name, level, r.Doc, strings.Join(ps, ", "))
	}
	return map[string]string{"params": ps.String(), "tiers": ts.String(), "reasons": rs.String()}
}

// TestDocTables checks docs/mobile.md against the code; -update-docs
// rewrites its tables.
func TestDocTables(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for name, want := range docTables() {
		begin, end := "<!-- BEGIN "+name+" -->\n", "<!-- END "+name+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("docs/mobile.md has no %s section", name)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !*updateDocs {
				t.Errorf("docs/mobile.md section %s is out of date: rerun with -update-docs", name)
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
