package gov

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/params"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated parameter table in docs/governance.md")

func paramTable(specs []params.Spec) string {
	var b strings.Builder
	b.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	return b.String()
}

// TestDocParams checks (or with -update-docs rewrites) the generated
// parameter table of docs/governance.md.
func TestDocParams(t *testing.T) {
	const path = "../../docs/governance.md"
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
	table := paramTable(Specs())
	if doc[i+len(begin):j] == table {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+table+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the parameter table is out of date; run go test ./internal/gov -run TestDocParams -update-docs", path)
}
