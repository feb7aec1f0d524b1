package oracle

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated table of docs/proof-of-coverage.md §6a")

// TestDocEpochParams checks the table of governed values each epoch
// records (docs/proof-of-coverage.md, "Why oracles agree") against the
// code; -update-docs rewrites it.
func TestDocEpochParams(t *testing.T) {
	var b strings.Builder
	b.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range []params.Spec{reward.WindowSlackMs, kind.ScorerVersionSpec(coverage.Kind{})} {
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	table := b.String()
	const path = "../../docs/proof-of-coverage.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	const begin, end = "<!-- params:begin -->\n", "<!-- params:end -->"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, begin, end)
	}
	if got := doc[i+len(begin) : j]; got != table {
		if *updateDocs {
			if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+table+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s: the table of epoch params is out of date; run go test ./internal/oracle -run TestDocEpochParams -update-docs\ngot:\n%s\nwant:\n%s", path, got, table)
	}
}
