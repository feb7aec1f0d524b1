package store

import (
	"bytes"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

func TestCommitSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h, hash := db.LastCommit(); h != 0 || hash != nil {
		t.Fatalf("new db: got height %d hash %x, want 0 and nil", h, hash)
	}
	state := []ledger.Write{{Key: []byte{0x02, 'a'}, Value: []byte("1")}, {Key: []byte{0x02, 'b'}, Value: []byte("2")}}
	if err := db.Commit(1, []byte("hash1"), state); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(2, []byte("hash2"), []ledger.Write{{Key: []byte{0x02, 'a'}, Delete: true}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if h, hash := db.LastCommit(); h != 2 || string(hash) != "hash2" {
		t.Fatalf("got height %d hash %q, want 2 and hash2", h, hash)
	}
	if v := db.Get([]byte{0x02, 'a'}); v != nil {
		t.Fatalf("deleted key: got %q, want nil", v)
	}
	var keys [][]byte
	db.Iterate([]byte{0x02}, []byte{0x03}, func(k, _ []byte) bool { keys = append(keys, bytes.Clone(k)); return true })
	if len(keys) != 1 || !bytes.Equal(keys[0], []byte{0x02, 'b'}) {
		t.Fatalf("iterate: got %q, want [0x02 b]", keys)
	}
}

func TestOverlayOverDB(t *testing.T) {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Commit(1, []byte("h"), []ledger.Write{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("c"), Value: []byte("3")}}); err != nil {
		t.Fatal(err)
	}
	o := ledger.NewOverlay(db)
	o.Set([]byte("b"), []byte("2"))
	o.Delete([]byte("c"))
	var got []string
	o.Iterate(nil, []byte{0x80}, func(k, v []byte) bool { got = append(got, string(k)+"="+string(v)); return true })
	if want := "[a=1 b=2]"; fmtSlice(got) != want {
		t.Fatalf("got %s, want %s", fmtSlice(got), want)
	}
}

func fmtSlice(s []string) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	b.WriteByte(']')
	return b.String()
}
