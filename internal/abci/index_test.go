package abci

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

// TestIndexedKeysDoc checks that docs/clients.md lists exactly the indexed
// attribute keys.
func TestIndexedKeysDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "clients.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- BEGIN indexed-keys -->\n", "<!-- END indexed-keys -->"
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no indexed-keys section", path)
	}
	var b strings.Builder
	b.WriteString("| indexed attribute key |\n|---|\n")
	for _, k := range IndexedKeys() {
		b.WriteString("| `" + k + "` |\n")
	}
	want := doc[:i+len(begin)] + b.String() + doc[j:]
	if doc[i+len(begin):j] == b.String() {
		return
	}
	if os.Getenv("DEPIN_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the indexed-keys table is out of date; run DEPIN_UPDATE_DOCS=1 go test ./internal/abci", path)
}

func TestEventsIndexOnlyListedKeys(t *testing.T) {
	got := events([]ledger.Event{{Type: "bank.transfer", Attrs: []ledger.Attr{{Key: "from", Value: "a"}, {Key: "amount", Value: "5"}}}})
	if len(got) != 1 || !got[0].Attributes[0].Index || got[0].Attributes[1].Index {
		t.Errorf("got %+v, want from indexed and amount not", got)
	}
}
