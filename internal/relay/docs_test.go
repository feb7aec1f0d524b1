package relay

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables of docs/relay.md")

const docPath = "../../docs/relay.md"

func generated() map[string]string {
	var ps strings.Builder
	ps.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range Specs() {
		fmt.Fprintf(&ps, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	var cs strings.Builder
	cs.WriteString("| code | name |\n|---:|---|\n")
	for c := ledger.Code(740); c < 770; c++ {
		if n := c.String(); !strings.HasPrefix(n, "code_") {
			fmt.Fprintf(&cs, "| %d | `%s` |\n", c, n)
		}
	}
	var fs strings.Builder
	fs.WriteString("| price per ticket (upin) | p = 1/16 | p = 1/256 | p = 1/4096 |\n|---:|---:|---:|---:|\n")
	for _, price := range []uint64{1, 100, 2_000} {
		fmt.Fprintf(&fs, "| %d |", price)
		for _, w := range []uint64{1 << 60, 1 << 56, 1 << 52} {
			f, _ := FaceValue(price, w)
			fmt.Fprintf(&fs, " %d |", f)
		}
		fs.WriteString("\n")
	}
	return map[string]string{"params": ps.String(), "codes": cs.String(), "faces": fs.String()}
}

// TestDocTables checks that docs/relay.md states the code's parameters,
// codes and face values; -update-docs rewrites them.
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
			t.Fatalf("docs/relay.md has no %q ... %q section", begin, end)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !*updateDocs {
				t.Errorf("docs/relay.md section %s is out of date: run go test ./internal/relay -run TestDocTables -update-docs", name)
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
