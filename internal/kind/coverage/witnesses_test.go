package coverage

import (
	"errors"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ledger"
)

// TestWitnessColumnsRoundTrip: every witness comes back from the columns
// field for field, whatever addresses and payloads repeat, and a payload
// seen before is stored once.
func TestWitnessColumnsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		addrs := rapid.SliceOfN(rapid.SliceOfN(rapid.Byte(), 20, 20), 1, 6).Draw(t, "addrs")
		payloads := rapid.SliceOfN(rapid.SliceOfN(rapid.Byte(), 0, 8), 1, 5).Draw(t, "payloads")
		n := rapid.IntRange(0, 40).Draw(t, "n")
		ws := make([]Witness, n)
		for i := range ws {
			w := &ws[i]
			copy(w.ID[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "id"))
			copy(w.Device[:], addrs[rapid.IntRange(0, len(addrs)-1).Draw(t, "dev")])
			copy(w.Beaconer[:], addrs[rapid.IntRange(0, len(addrs)-1).Draw(t, "beaconer")])
			w.Payload = payloads[rapid.IntRange(0, len(payloads)-1).Draw(t, "payload")]
			w.Received, w.Timestamp = rapid.Int64().Draw(t, "received"), rapid.Int64().Draw(t, "timestamp")
			w.FrequencyHz = rapid.Uint64().Draw(t, "freq")
			w.SignalDdBm, w.SNRcB = rapid.Int32().Draw(t, "signal"), rapid.Int32().Draw(t, "snr")
		}
		cols := WitnessesOf(ws)
		if cols.Len() != n {
			t.Fatalf("got %d witnesses, want %d", cols.Len(), n)
		}
		distinct := map[string]bool{}
		for i := range ws {
			got := cols.At(i)
			if got.Payload == nil {
				got.Payload = []byte{}
			}
			want := ws[i]
			if want.Payload == nil {
				want.Payload = []byte{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("witness %d: got %+v, want %+v", i, got, want)
			}
			distinct[string(ws[i].Payload)] = true
		}
		if len(cols.poff)-1 != len(distinct) {
			t.Fatalf("%d payloads stored, %d distinct", len(cols.poff)-1, len(distinct))
		}
	})
}

// TestWitnessesTwiceRefused: an input may give its witnesses as a list or
// in columns, not both.
func TestWitnessesTwiceRefused(t *testing.T) {
	w := Witness{Device: ledger.Address{1}, Beaconer: ledger.Address{2}, Payload: []byte{3}}
	in := Input{Start: 0, End: 1, Params: DefaultParams(), Witnesses: []Witness{w}, WitnessColumns: WitnessesOf([]Witness{w})}
	if _, err := Score(in, geo.H3{}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("got %v, want an invalid input error", err)
	}
}
