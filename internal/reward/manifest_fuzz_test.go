package reward

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

// manifestSeeds are valid and nearly valid encodings.
func manifestSeeds() [][]byte {
	valid := EncodeManifest(&Manifest{Epoch: 1, ScorerVersion: 1, Entries: testEntries(3)})
	return [][]byte{
		EncodeManifest(&Manifest{}),
		EncodeManifest(&Manifest{Epoch: 731, ScorerVersion: 2, Entries: testEntries(1)}),
		valid,
		valid[:len(valid)-1],
		append(bytes.Clone(valid), 0),
		[]byte("DPRM"),
	}
}

func FuzzDecodeManifest(f *testing.F) {
	for _, s := range manifestSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeManifest(b)
		if err != nil {
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != ledger.CodeMalformed {
				t.Fatalf("got error %v, want code %v", err, ledger.CodeMalformed)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded manifest is invalid: %v", err)
		}
		if enc := EncodeManifest(m); !bytes.Equal(enc, b) {
			t.Fatalf("encoding is not canonical: decoded %x, re-encoded %x", b, enc)
		}
		tree := NewTree(m.Entries)
		if tree.Root() != m.Root() {
			t.Fatalf("Tree.Root %s, want Manifest.Root %s", tree.Root(), m.Root())
		}
		for i, e := range m.Entries[:min(len(m.Entries), 8)] {
			p, err := m.Proof(e.Device)
			if err != nil || p.Index != uint64(i) || !VerifyProof(tree.Root(), e.Device, e.Cumulative, p) {
				t.Fatalf("entry %d: proof %+v, %v does not verify", i, p, err)
			}
		}
	})
}

// TestWriteFuzzCorpus writes the seed corpora under testdata/fuzz with
// -update, so `go test` replays them even without the f.Add seeds.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpora")
	}
	for i, s := range manifestSeeds() {
		writeSeed(t, "FuzzDecodeManifest", i, fmt.Sprintf("[]byte(%s)", strconv.Quote(string(s))))
	}
	for i, s := range proofSeeds() {
		writeSeed(t, "FuzzVerifyProof", i,
			fmt.Sprintf("uint8(%d)", s.n),
			fmt.Sprintf("uint64(%d)", s.index),
			fmt.Sprintf("uint64(%d)", s.size),
			fmt.Sprintf("[]byte(%s)", strconv.Quote(string(s.path))),
			fmt.Sprintf("[]byte(%s)", strconv.Quote(string(s.device))),
			fmt.Sprintf("uint64(%d)", s.cumulative))
	}
}

func writeSeed(t *testing.T, target string, i int, values ...string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "go test fuzz v1\n" + strings.Join(values, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
