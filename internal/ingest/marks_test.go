package ingest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// genMarks draws marks over a small key space, so that base and delta
// share devices.
func genMarks(t *rapid.T, label string) map[[32]byte]mark {
	out := map[[32]byte]mark{}
	for _, k := range rapid.SliceOfN(rapid.ByteRange(0, 15), 0, 12).Draw(t, label) {
		m := mark{pub: [32]byte{k, 0xaa}, nonce: rapid.Uint64().Draw(t, label+" nonce")}
		m.digest[0], m.leaf[0] = byte(m.nonce), byte(m.nonce>>8)
		out[m.pub] = m
	}
	return out
}

func setOf(ms map[[32]byte]mark) markSet {
	out := markSet{}
	for k, m := range ms {
		out[k] = &m
	}
	return out
}

// TestMergeMarksAgainstMap checks the sorted merge against a map model:
// delta wins, every device of either side is kept once, keys ascend.
func TestMergeMarksAgainstMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base, delta := genMarks(t, "base"), genMarks(t, "delta")
		want := map[[32]byte]mark{}
		for k, m := range base {
			want[k] = m
		}
		for k, m := range delta {
			want[k] = m
		}
		got := mergeMarks(setOf(base).sorted(), setOf(delta).sorted())
		if len(got) != len(want) {
			t.Fatalf("got %d marks, want %d", len(got), len(want))
		}
		for i, m := range got {
			if m != want[m.pub] {
				t.Fatalf("mark %d: got %+v, want %+v", i, m, want[m.pub])
			}
			if i > 0 && bytes.Compare(got[i-1].pub[:], m.pub[:]) >= 0 {
				t.Fatalf("marks %d and %d are not ascending", i-1, i)
			}
		}
		// The encoding round-trips.
		seq := rapid.Uint64().Draw(t, "seq")
		s, err := decodeMarks(encodeMarks(seq, got))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if s.seq != seq || len(s.marks) != len(got) {
			t.Fatalf("got seq %d and %d marks, want %d and %d", s.seq, len(s.marks), seq, len(got))
		}
		for i := range got {
			if s.marks[i] != got[i] {
				t.Fatalf("mark %d: got %+v, want %+v", i, s.marks[i], got[i])
			}
		}
	})
}

func TestDecodeMarksRejects(t *testing.T) {
	a, b := mark{pub: [32]byte{1}, nonce: 1}, mark{pub: [32]byte{2}, nonce: 2}
	good := encodeMarks(5, []mark{a, b})
	resum := func(body []byte) []byte {
		sum := sha256.Sum256(body)
		return append(bytes.Clone(body), sum[:]...)
	}
	body := good[:len(good)-32]
	badCount := bytes.Clone(body)
	badCount[23] = 3
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty", nil, "not a marks file"},
		{"other magic", resum(append([]byte("DPNMARK2"), body[8:]...)), "not a marks file"},
		{"flipped bit", append(append(bytes.Clone(body[:30]), body[30]^1), good[31:]...), "checksum"},
		{"truncated", good[:len(good)-1], "checksum"},
		{"count too high", resum(badCount), "announced"},
		{"partial mark", resum(body[:len(body)-1]), "announced"},
		{"keys descending", encodeMarks(5, []mark{b, a}), "ascending"},
		{"key twice", encodeMarks(5, []mark{a, a}), "ascending"},
	}
	if _, err := decodeMarks(good); err != nil {
		t.Fatalf("good file: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeMarks(tc.data)
			if !errors.Is(err, errBadMarks) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want errBadMarks mentioning %q", err, tc.msg)
			}
		})
	}
}

// TestWriteMarks merges two deltas into the file in turn and refuses to go
// back in the log.
func TestWriteMarks(t *testing.T) {
	path := filepath.Join(t.TempDir(), marksFile)
	if s, err := loadMarks(path); err != nil || s.seq != 0 || len(s.marks) != 0 {
		t.Fatalf("missing file: got %+v, %v, want an empty snapshot", s, err)
	}
	a, b, c := [32]byte{1}, [32]byte{2}, [32]byte{3}
	if n, err := writeMarks(path, 10, markSet{a: {pub: a, nonce: 1}, b: {pub: b, nonce: 4}}); err != nil || n != 2 {
		t.Fatalf("first write: got %d, %v, want 2 devices", n, err)
	}
	if n, err := writeMarks(path, 20, markSet{b: {pub: b, nonce: 6}, c: {pub: c, nonce: 2}}); err != nil || n != 3 {
		t.Fatalf("second write: got %d, %v, want 3 devices", n, err)
	}
	s, err := loadMarks(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []mark{{pub: a, nonce: 1}, {pub: b, nonce: 6}, {pub: c, nonce: 2}}
	if s.seq != 20 || len(s.marks) != len(want) {
		t.Fatalf("got seq %d with %d marks, want 20 with %d", s.seq, len(s.marks), len(want))
	}
	for i := range want {
		if s.marks[i] != want[i] {
			t.Errorf("mark %d: got %+v, want %+v", i, s.marks[i], want[i])
		}
	}
	if _, err := writeMarks(path, 19, markSet{}); err == nil {
		t.Error("write below the file's sequence: got no error")
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadMarks(path); !errors.Is(err, errBadMarks) {
		t.Errorf("corrupt file: got %v, want errBadMarks", err)
	}
}

// FuzzDecodeMarks feeds arbitrary bytes as a marks file: decoding must not
// panic, and what decodes must encode again to the same bytes.
func FuzzDecodeMarks(f *testing.F) {
	f.Add(encodeMarks(0, nil))
	f.Add(encodeMarks(7, []mark{{pub: [32]byte{1}, nonce: 3, digest: [32]byte{4}, leaf: [32]byte{5}}}))
	f.Add([]byte(marksMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeMarks(data)
		if err != nil {
			return
		}
		if again := encodeMarks(s.seq, s.marks); !bytes.Equal(again, data) {
			t.Fatalf("decoded marks re-encode differently")
		}
	})
}
