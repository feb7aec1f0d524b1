package energy

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated sections of docs/energy.md")

const docPath = "../../docs/energy.md"

// generatedDocs are the sections docs/energy.md takes from the code, each
// between "<!-- BEGIN name -->" and "<!-- END name -->".
func generatedDocs(t *testing.T) map[string]string {
	params := func(specs []params.Spec) string {
		var b strings.Builder
		b.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
		for _, s := range specs {
			fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
		}
		return b.String()
	}
	var cs strings.Builder
	cs.WriteString("| code | name |\n|---:|---|\n")
	for c := ledger.Code(650); c < 700; c++ {
		if n := c.String(); !strings.HasPrefix(n, "code_") {
			fmt.Fprintf(&cs, "| %d | `%s` |\n", c, n)
		}
	}
	day, err := os.ReadFile("testdata/golden_day.txt")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"kind-params":   params(kenergy.Specs()),
		"market-params": params(Specs()),
		"codes":         cs.String(),
		"day":           "```\n" + string(day) + "```\n",
	}
}

// TestDocTables checks that docs/energy.md states the parameters, result
// codes and golden day the code has; -update-docs rewrites them.
func TestDocTables(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for name, want := range generatedDocs(t) {
		begin, end := "<!-- BEGIN "+name+" -->\n", "<!-- END "+name+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("docs/energy.md has no %q ... %q section", begin, end)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !*updateDocs {
				t.Errorf("docs/energy.md section %s is out of date: run go test ./internal/energy -run TestDocTables -update-docs", name)
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
