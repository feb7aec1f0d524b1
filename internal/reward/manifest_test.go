package reward

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

func sortEntries(entries []Entry) {
	slices.SortFunc(entries, func(a, b Entry) int { return bytes.Compare(a.Device[:], b.Device[:]) })
}

func TestManifestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 17, 256} {
		m := &Manifest{Epoch: uint64(n) * 7, ScorerVersion: 3, Entries: testEntries(n)}
		b := EncodeManifest(m)
		if got, want := len(b), manifestHeader+n*entryLen; got != want {
			t.Errorf("n=%d: encoded %d bytes, want %d", n, got, want)
		}
		got, err := DecodeManifest(b)
		if err != nil {
			t.Fatalf("n=%d: DecodeManifest: %v", n, err)
		}
		if got.Epoch != m.Epoch || got.ScorerVersion != m.ScorerVersion || !slices.Equal(got.Entries, m.Entries) {
			t.Errorf("n=%d: decoded %+v, want %+v", n, got, m)
		}
		if !bytes.Equal(EncodeManifest(got), b) {
			t.Errorf("n=%d: re-encoding differs", n)
		}
	}
}

func TestDecodeManifestRejects(t *testing.T) {
	valid := EncodeManifest(&Manifest{Epoch: 9, ScorerVersion: 1, Entries: testEntries(3)})
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(valid)) }
	entry := func(i int) int { return manifestHeader + i*entryLen }
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"short header", valid[:manifestHeader-1]},
		{"bad magic", mutate(func(b []byte) []byte { b[0] = 'X'; return b })},
		{"bad version", mutate(func(b []byte) []byte { b[4] = 2; return b })},
		{"count too high", mutate(func(b []byte) []byte { binary.BigEndian.PutUint64(b[17:], 4); return b })},
		{"count too low", mutate(func(b []byte) []byte { binary.BigEndian.PutUint64(b[17:], 2); return b })},
		{"huge count", mutate(func(b []byte) []byte { binary.BigEndian.PutUint64(b[17:], 1<<62); return b })},
		{"trailing byte", append(bytes.Clone(valid), 0)},
		{"truncated entry", valid[:len(valid)-1]},
		{"zero total", mutate(func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[entry(1)+ledger.AddressLen:], 0)
			return b
		})},
		{"duplicate device", mutate(func(b []byte) []byte {
			copy(b[entry(1):entry(1)+ledger.AddressLen], b[entry(0):entry(0)+ledger.AddressLen])
			return b
		})},
		{"unsorted devices", mutate(func(b []byte) []byte {
			first := bytes.Clone(b[entry(0):entry(1)])
			copy(b[entry(0):], b[entry(1):entry(2)])
			copy(b[entry(1):], first)
			return b
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := DecodeManifest(tt.b)
			if err == nil {
				t.Fatalf("DecodeManifest accepted %x as %+v, want an error", tt.b, m)
			}
			le, ok := err.(*ledger.Error)
			if !ok || le.Code != ledger.CodeMalformed {
				t.Errorf("got error %v, want code %v", err, ledger.CodeMalformed)
			}
		})
	}
}

func TestManifestValidate(t *testing.T) {
	good := testEntries(4)
	zero := slices.Clone(good)
	zero[2].Cumulative = 0
	dup := slices.Clone(good)
	dup[3] = dup[2]
	tests := []struct {
		name    string
		entries []Entry
		ok      bool
	}{
		{"sorted", good, true},
		{"empty", nil, true},
		{"zero total", zero, false},
		{"duplicate", dup, false},
		{"reversed", reversed(good), false},
	}
	for _, tt := range tests {
		m := &Manifest{Entries: tt.entries}
		if err := m.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func reversed(e []Entry) []Entry {
	r := slices.Clone(e)
	slices.Reverse(r)
	return r
}
