package ledger

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// refBech32Encode is BIP-173 encoding written out plainly, as bech32Encode
// was before it moved to stack buffers: the property below holds the fast
// version to it.
func refBech32Encode(hrp string, data []byte) string {
	conv, err := convertBits(data, 8, 5, true)
	if err != nil {
		panic(err)
	}
	values := append(bech32HRPExpand(hrp), conv...)
	poly := bech32Polymod(append(values, 0, 0, 0, 0, 0, 0)) ^ 1
	var sb strings.Builder
	sb.WriteString(hrp)
	sb.WriteByte('1')
	for _, c := range conv {
		sb.WriteByte(bech32Charset[c])
	}
	for i := 0; i < 6; i++ {
		sb.WriteByte(bech32Charset[(poly>>uint(5*(5-i)))&31])
	}
	return sb.String()
}

func TestBech32EncodeMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		hrp := rapid.StringMatching(`[a-z]{1,20}`).Draw(t, "hrp")
		data := rapid.SliceOfN(rapid.Byte(), 0, 80).Draw(t, "data")
		got, err := bech32Encode(hrp, data)
		if err != nil {
			t.Fatalf("bech32Encode(%q, %x): %v", hrp, data, err)
		}
		if want := refBech32Encode(hrp, data); got != want {
			t.Fatalf("bech32Encode(%q, %x) = %q, want %q", hrp, data, got, want)
		}
	})
}

func TestAddressStringRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var a Address
		copy(a[:], rapid.SliceOfN(rapid.Byte(), len(a), len(a)).Draw(t, "addr"))
		s := a.String()
		if !strings.HasPrefix(s, AddressPrefix+"1") {
			t.Fatalf("got %q, want prefix %q", s, AddressPrefix+"1")
		}
		back, err := ParseAddress(s)
		if err != nil {
			t.Fatalf("ParseAddress(%q): %v", s, err)
		}
		if back != a {
			t.Fatalf("got %x back from %q, want %x", back, s, a)
		}
	})
}

// BIP-173's valid test vector with an empty data part.
func TestBech32EncodeVector(t *testing.T) {
	got, err := bech32Encode("a", nil)
	if err != nil || got != "a12uel5l" {
		t.Fatalf("got %q, %v, want %q", got, err, "a12uel5l")
	}
}
