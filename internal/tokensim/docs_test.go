package tokensim

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated parts of docs/tokenomics.md and its plots (runs every scenario)")

const (
	docPath  = "../../docs/tokenomics.md"
	plotsDir = "../../docs/tokenomics"
	simsDir  = "../../sims"
)

// docScenario is a scenario the doc shows, with the figures it shows: the
// baseline's all, the others' overlaid on the baseline.
type docScenario struct {
	name    string
	figures []string
}

var docScenarios = []docScenario{
	{"bootstrap", nil},
	{"usage_shift", []string{"providers.svg", "roi.svg", "treasury.svg"}},
	{"demand_shock", []string{"demand.svg", "price.svg", "emission.svg"}},
	{"price_crash", []string{"price.svg", "providers.svg", "breakeven.svg"}},
	{"halving", []string{"supply.svg", "emission.svg", "providers.svg", "price.svg"}},
}

func docScenarioFigures(d docScenario) []string {
	if d.figures == nil {
		return FigureFiles()
	}
	return d.figures
}

// generatedDocs are the tables docs/tokenomics.md takes from the code and
// the scenario files, each between "<!-- BEGIN name -->" and
// "<!-- END name -->".
func generatedDocs(t *testing.T) map[string]string {
	var cols strings.Builder
	cols.WriteString("| column | meaning |\n|---|---|\n")
	for _, c := range columns {
		fmt.Fprintf(&cols, "| `%s` | %s |\n", c.name, c.doc)
	}
	var sc strings.Builder
	sc.WriteString("| scenario | file | what it shows | events |\n|---|---|---|---|\n")
	for _, d := range docScenarios {
		s := load(t, filepath.Join(simsDir, d.name+".toml"))
		var evs []string
		for _, e := range s.Events {
			switch e.Kind {
			case EventProposal:
				var what []string
				for _, n := range sortedParams(e.Params) {
					what = append(what, fmt.Sprintf("`%s`=%d", n, e.Params[n]))
				}
				if len(e.Pools) > 0 {
					var ps []string
					for _, p := range e.Pools {
						ps = append(ps, fmt.Sprintf("%s %d", p.Name, p.Bps))
					}
					what = append(what, "pools "+strings.Join(ps, ", "))
				}
				evs = append(evs, fmt.Sprintf("day %d: proposal %q: %s", e.Day, e.Title, strings.Join(what, "; ")))
			case EventDemandShock:
				evs = append(evs, fmt.Sprintf("day %d: demand × %g for %d days", e.Day, e.Multiplier, e.DurationDays))
			case EventPriceShock:
				evs = append(evs, fmt.Sprintf("day %d: price × %g", e.Day, e.Multiplier))
			}
		}
		if len(evs) == 0 {
			evs = []string{"none"}
		}
		fmt.Fprintf(&sc, "| %s | `sims/%s.toml` | %s | %s |\n", d.name, d.name, s.Description, strings.Join(evs, "<br>"))
	}
	b := load(t, filepath.Join(simsDir, "bootstrap.toml"))
	var bp strings.Builder
	bp.WriteString("| chain parameter | value |\n|---|---:|\n")
	for _, n := range sortedParams(b.Params) {
		fmt.Fprintf(&bp, "| `%s` | %d |\n", n, b.Params[n])
	}
	bp.WriteString("\n| pool | bps | recipient |\n|---|---:|---|\n")
	for _, p := range b.Pools {
		fmt.Fprintf(&bp, "| %s | %d | %s |\n", p.Name, p.Bps, p.Recipient)
	}
	var pl strings.Builder
	for _, d := range docScenarios {
		fmt.Fprintf(&pl, "#### %s\n\n", d.name)
		for _, f := range docScenarioFigures(d) {
			fmt.Fprintf(&pl, "![%s: %s](tokenomics/%s/%s)\n", d.name, strings.TrimSuffix(f, ".svg"), d.name, f)
		}
		pl.WriteString("\n")
	}
	return map[string]string{"columns": cols.String(), "scenarios": sc.String(), "bootstrap": bp.String(), "plots": pl.String()}
}

func section(doc, name string) (int, int, bool) {
	begin, end := "<!-- BEGIN "+name+" -->\n", "<!-- END "+name+" -->"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return 0, 0, false
	}
	return i + len(begin), j, true
}

// TestDocs checks that docs/tokenomics.md states the CSV columns, the
// scenarios and the bootstrap parameters the code and sims/ have, that
// every plot it shows exists, and (without -short) that its summary of
// the bootstrap run is what the simulation gives. -update-docs runs every
// scenario and rewrites the summaries and the plots.
func TestDocs(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	gen := generatedDocs(t)
	if *updateDocs {
		sums, err := renderDocRuns(t)
		if err != nil {
			t.Fatal(err)
		}
		gen["summaries"] = sums
	}
	for name, want := range gen {
		i, j, ok := section(doc, name)
		if !ok {
			t.Fatalf("docs/tokenomics.md has no %s section", name)
		}
		if doc[i:j] == want {
			continue
		}
		if !*updateDocs {
			t.Errorf("docs/tokenomics.md section %s is out of date: run go test ./internal/tokensim -run TestDocs -update-docs", name)
			continue
		}
		doc = doc[:i] + want + doc[j:]
	}
	if *updateDocs {
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, d := range docScenarios {
		for _, f := range docScenarioFigures(d) {
			if _, err := os.Stat(filepath.Join(plotsDir, d.name, f)); err != nil {
				t.Errorf("plot %s/%s: %v (regenerate with -update-docs)", d.name, f, err)
			}
		}
	}
	if testing.Short() {
		return
	}
	res, err := Run(context.Background(), load(t, filepath.Join(simsDir, "bootstrap.toml")), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteTable(&b, []Summary{Summarize(res)}); err != nil {
		t.Fatal(err)
	}
	row := strings.Split(strings.TrimSpace(b.String()), "\n")[1]
	i, j, _ := section(doc, "summaries")
	if !strings.Contains(doc[i:j], strings.TrimSpace(row)) {
		t.Errorf("docs/tokenomics.md summaries do not hold the bootstrap run's %q: run -update-docs", strings.TrimSpace(row))
	}
}

// renderDocRuns runs every doc scenario, writes its plots and returns the
// summary table.
func renderDocRuns(t *testing.T) (string, error) {
	var base *Result
	var sums []Summary
	for _, d := range docScenarios {
		res, err := Run(context.Background(), load(t, filepath.Join(simsDir, d.name+".toml")), nil)
		if err != nil {
			return "", err
		}
		runs := []*Result{res}
		if base == nil {
			base = res
		} else {
			runs = []*Result{base, res}
		}
		dir := filepath.Join(plotsDir, d.name)
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
		if _, err := WriteFigures(dir, d.figures, runs...); err != nil {
			return "", err
		}
		sums = append(sums, Summarize(res))
		for _, p := range res.Proposals {
			t.Logf("%s: proposal %d on day %d %q: %s", d.name, p.ID, p.Day, p.Title, p.Status)
		}
	}
	var b strings.Builder
	b.WriteString("```\n")
	if err := WriteTable(&b, sums); err != nil {
		return "", err
	}
	b.WriteString("```\n")
	return b.String(), nil
}
