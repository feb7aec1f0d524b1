package sensor

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables of docs/sensor.md")

const docPath = "../../../docs/sensor.md"

func docTables() map[string]string {
	var ps strings.Builder
	ps.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range Specs() {
		fmt.Fprintf(&ps, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	var cs strings.Builder
	cs.WriteString("| channel | unit | class | min | max | max change per hour | at least allowed | stuck check | neighbour check (floor) |\n|---|---|---|---:|---:|---:|---:|---|---|\n")
	for _, c := range Channels {
		rate, floor := "-", "-"
		if c.RatePerHour > 0 {
			rate, floor = fmt.Sprint(c.RatePerHour), fmt.Sprint(c.RateFloor)
		}
		if c.Monotonic {
			rate += " (never decreases)"
		}
		nb := "no"
		if c.Neighbour {
			nb = fmt.Sprintf("yes (%d)", c.NeighbourFloor)
		}
		stuck := "no"
		if c.Stuck {
			stuck = "yes"
		}
		fmt.Fprintf(&cs, "| `%s` | %s | %s | %d | %d | %s | %s | %s | %s |\n", c.Name, c.Unit, c.Class, c.Min, c.Max, rate, floor, stuck, nb)
	}
	var rs strings.Builder
	rs.WriteString("| reason | judges | meaning | parameters |\n|---|---|---|---|\n")
	for _, r := range Reasons {
		level := "report"
		if r.Level == LevelDevice {
			level = "device"
		}
		var ps []string
		for _, p := range r.Params {
			ps = append(ps, "`"+Name+"."+p+"`")
		}
		fmt.Fprintf(&rs, "| `%s` | %s | %s | %s |\n", r.Name, level, r.Doc, strings.Join(ps, ", "))
	}
	var ss strings.Builder
	ss.WriteString("| stat | meaning |\n|---|---|\n")
	for i, n := range StatNames {
		fmt.Fprintf(&ss, "| `%s` | %s |\n", n, statDocs[i])
	}
	return map[string]string{"params": ps.String(), "channels": cs.String(), "reasons": rs.String(), "stats": ss.String()}
}

var statDocs = []string{"quality of data 0-100", "readings that passed every report check", "readings received", "readings expected in the epoch",
	"slots with a valid reading or heartbeat", "slots in the epoch", "slots judged against the ring", "judged slots that deviated",
	"sketch entries shared with a copied or replayed stream", "eligible stations in the device's cluster cell", "rank in the capacity cell",
	"first epoch with a valid reading (seniority)", "units earned in the sensor pool"}

// TestDocTables checks that docs/sensor.md states the code's parameters,
// channels, reasons and stats; -update-docs rewrites them.
func TestDocTables(t *testing.T) { checkDoc(t, docPath, docTables(), *updateDocs) }

func checkDoc(t *testing.T, path string, tables map[string]string, update bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for name, want := range tables {
		begin, end := "<!-- BEGIN "+name+" -->\n", "<!-- END "+name+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("%s has no %q ... %q section", path, begin, end)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !update {
				t.Errorf("%s section %s is out of date: rerun with -update-docs", path, name)
				continue
			}
			doc = doc[:i+len(begin)] + want + doc[j:]
		}
	}
	if update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
