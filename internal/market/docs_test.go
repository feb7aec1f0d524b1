package market

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables of docs/market.md")

const docPath = "../../docs/market.md"

// generated are the tables docs/market.md takes from the code, each
// between "<!-- BEGIN name -->" and "<!-- END name -->".
func generated() map[string]string {
	var ps strings.Builder
	ps.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range append(Specs(), credit.Specs()...) {
		fmt.Fprintf(&ps, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	var rs strings.Builder
	rs.WriteString("| code | name | meaning |\n|---:|---|---|\n")
	for _, r := range Reasons {
		fmt.Fprintf(&rs, "| %d | `%s` | %s |\n", r.Code, r.Name, r.Doc)
	}
	var cs strings.Builder
	cs.WriteString("| code | name |\n|---:|---|\n")
	for c := ledger.Code(300); c < 340; c++ {
		if n := c.String(); !strings.HasPrefix(n, "code_") {
			fmt.Fprintf(&cs, "| %d | `%s` |\n", c, n)
		}
	}
	return map[string]string{"params": ps.String(), "reasons": rs.String(), "codes": cs.String()}
}

// TestDocTables checks that docs/market.md states the parameters, close
// reasons and result codes the code has; -update-docs rewrites them.
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
			t.Fatalf("docs/market.md has no %q ... %q section", begin, end)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !*updateDocs {
				t.Errorf("docs/market.md section %s is out of date: run go test ./internal/market -run TestDocTables -update-docs", name)
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
