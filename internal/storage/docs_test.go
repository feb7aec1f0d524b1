package storage_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables of docs/storage.md")

const docPath = "../../docs/storage.md"

// generated are the tables docs/storage.md takes from the code, in order.
func generated() [][2]string {
	var ps strings.Builder
	ps.WriteString("| parameter | default | min | max | unit | meaning |\n|---|---:|---:|---:|---|---|\n")
	for _, s := range storage.Specs() {
		fmt.Fprintf(&ps, "| `%s` | %d | %d | %d | %s | %s |\n", s.Name, s.Default, s.Min, s.Max, s.Unit, s.Doc)
	}
	var rs strings.Builder
	rs.WriteString("| code | name | meaning |\n|---:|---|---|\n")
	for _, r := range storage.CloseReasons {
		fmt.Fprintf(&rs, "| %d | `%s` | %s |\n", r.Code, r.Name, r.Doc)
	}
	var cs strings.Builder
	cs.WriteString("| code | name |\n|---:|---|\n")
	for c := ledger.Code(500); c < 550; c++ {
		if n := c.String(); !strings.HasPrefix(n, "code_") {
			fmt.Fprintf(&cs, "| %d | `%s` |\n", c, n)
		}
	}
	layout := fmt.Sprintf("| constant | value |\n|---|---:|\n| default segment size | %d bytes |\n| default leaf size | %d bytes |\n"+
		"| leaf size | %d to %d bytes, a power of two |\n| largest segment | %d bytes |\n| most shards (n) | %d |\n| largest file | %d bytes |\n"+
		"| signed chunk of a careful download (`storage.SignedChunkBytes`) | %d bytes |\n",
		content.DefaultSegmentSize, content.DefaultLeafSize, content.MinLeafSize, content.MaxLeafSize, content.MaxSegmentSize,
		content.MaxShards, uint64(content.MaxFileSize), storage.SignedChunkBytes)
	return [][2]string{{"layout", layout}, {"params", ps.String()}, {"reasons", rs.String()}, {"codes", cs.String()}}
}

// TestDocTables checks that docs/storage.md states the layout constants,
// parameters, close reasons and result codes the code has; -update-docs
// rewrites them.
func TestDocTables(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, g := range generated() {
		name, want := g[0], g[1]
		begin, end := "<!-- BEGIN "+name+" -->\n", "<!-- END "+name+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("docs/storage.md has no %q ... %q section", begin, end)
		}
		if got := doc[i+len(begin) : j]; got != want {
			if !*updateDocs {
				t.Errorf("docs/storage.md section %s is out of date: run go test ./internal/storage -run TestDocTables -update-docs", name)
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
