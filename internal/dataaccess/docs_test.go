package dataaccess

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables of docs/data-access.md")

const docPath = "../../docs/data-access.md"

func docTables() map[string]string {
	var ps strings.Builder
	ps.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range Specs() {
		fmt.Fprintf(&ps, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	var cs strings.Builder
	cs.WriteString("| code | name |\n|---:|---|\n")
	for c := ledger.Code(550); c < 600; c++ {
		if n := c.String(); !strings.HasPrefix(n, "code_") {
			fmt.Fprintf(&cs, "| %d | `%s` |\n", c, n)
		}
	}
	return map[string]string{"params": ps.String(), "codes": cs.String()}
}

// TestDocTables checks docs/data-access.md against the code.
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
			t.Fatalf("docs/data-access.md has no %s section", name)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !*updateDocs {
				t.Errorf("docs/data-access.md section %s is out of date: rerun with -update-docs", name)
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
