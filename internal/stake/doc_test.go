package stake

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/params"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated parameter table in docs/staking.md")

// paramTable renders specs as the Markdown table the docs carry between
// "<!-- params:begin -->" and "<!-- params:end -->".
func paramTable(specs []params.Spec) string {
	var b strings.Builder
	b.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	return b.String()
}

// checkDocTable compares (or with -update-docs rewrites) the generated
// table of a doc file.
func checkDocTable(t *testing.T, path, table string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- params:begin -->\n", "<!-- params:end -->"
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, begin, end)
	}
	got := doc[i+len(begin) : j]
	if got == table {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+table+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the parameter table is out of date; run go test ./internal/stake -run TestDocParams -update-docs\ngot:\n%s\nwant:\n%s", path, got, table)
}

func TestDocParams(t *testing.T) {
	checkDocTable(t, "../../docs/staking.md", paramTable(Specs()))
}
