package coverage

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ledger"
	"pgregory.net/rapid"
)

// drawHostileInput builds a random fleet and breaks it in the ways the dense
// indices must get right: addresses and ids sharing long prefixes (the
// radix ties), repeated ids, repeated payloads, unregistered devices and
// beaconers, activity of unknown devices, tied receive times, and
// duplicate hotspot or activity entries (an error both must agree on).
func drawHostileInput(t *rapid.T) Input {
	n := rapid.IntRange(1, 120).Draw(t, "devices")
	per := rapid.IntRange(0, 10).Draw(t, "per")
	var addr func(int) ledger.Address
	if zero := rapid.SampledFrom([]int{0, 4, 8, 12, 16}).Draw(t, "addrprefix"); zero > 0 {
		addr = func(k int) ledger.Address {
			a := devAddr(k)
			clear(a[:zero])
			return a
		}
	}
	in := genFleetAddr(t, n, per, addr)
	if zero := rapid.SampledFrom([]int{0, 8, 20}).Draw(t, "idprefix"); zero > 0 {
		for i := range in.Beacons {
			clear(in.Beacons[i].ID[:zero])
		}
		for i := range in.Witnesses {
			clear(in.Witnesses[i].ID[:zero])
		}
	}
	stranger := devAddr(9_999_999)
	for i := range in.Witnesses {
		w := &in.Witnesses[i]
		switch rapid.IntRange(0, 14).Draw(t, "wmut") {
		case 0:
			w.SignalDdBm = int32(rapid.IntRange(-1500, 300).Draw(t, "signal"))
		case 1:
			w.Received += int64(rapid.IntRange(0, 6000).Draw(t, "delay")) * int64(time.Millisecond)
		case 2:
			w.FrequencyHz += uint64(rapid.IntRange(0, 300_000).Draw(t, "df"))
		case 3:
			in.Witnesses = append(in.Witnesses, *w)
		case 4:
			w.Beaconer = stranger
		case 5:
			w.Device = stranger
		case 6:
			w.Received = in.Witnesses[0].Received
		case 7:
			dup := *w
			dup.ID[31] ^= 1 // same device, same beacon, another id
			in.Witnesses = append(in.Witnesses, dup)
		}
	}
	for i := range in.Beacons {
		b := &in.Beacons[i]
		switch rapid.IntRange(0, 12).Draw(t, "bmut") {
		case 0:
			b.Payload = append([]byte(nil), b.Payload...)
			b.Payload[0] ^= 1
		case 1:
			b.TxPowerDBm = int32(rapid.IntRange(10, 20).Draw(t, "tx"))
		case 2:
			in.Activity[i].LastWitness = 0
		case 3:
			in.Beacons = append(in.Beacons, *b) // same id
		case 4:
			dup := *b
			dup.ID[31] ^= 1 // same payload, another id
			dup.Received += int64(rapid.IntRange(-2, 2).Draw(t, "dt"))
			in.Beacons = append(in.Beacons, dup)
		case 5:
			b.Received = in.Beacons[0].Received
		}
	}
	// A chatty device: more beacons than beaconMatch scans, some with
	// repeated payloads, each heard by copies of one witness.
	if len(in.Beacons) > 0 && rapid.IntRange(0, 2).Draw(t, "chatty") == 0 {
		b0 := in.Beacons[rapid.IntRange(0, len(in.Beacons)-1).Draw(t, "chattyb")]
		var w0 *Witness
		for i := range in.Witnesses {
			if in.Witnesses[i].Beaconer == b0.Device {
				w0 = &in.Witnesses[i]
				break
			}
		}
		for k := range rapid.IntRange(beaconScanMax-2, 3*beaconScanMax).Draw(t, "nchatty") {
			b := b0
			seq := rapid.IntRange(0, 20).Draw(t, "chattyseq")
			b.LocalEntropy = []byte{byte(seq), 7, 7, 7}
			payload, err := BeaconPayload(b.EntropyHash, b.LocalEntropy, b.Device)
			if err != nil {
				t.Fatal(err)
			}
			b.Payload = payload
			b.ID = idOf("chatty", k)
			b.Received += int64(rapid.IntRange(-3, 3).Draw(t, "chattydt")) * int64(time.Hour)
			in.Beacons = append(in.Beacons, b)
			if w0 != nil {
				w := *w0
				w.ID = idOf("chattyw", k)
				w.Payload = payload
				w.Received = b.Received + int64(rapid.IntRange(0, 3000).Draw(t, "chattywdt"))*int64(time.Millisecond)
				in.Witnesses = append(in.Witnesses, w)
			}
		}
	}
	for i := range in.Hotspots {
		switch rapid.IntRange(0, 15).Draw(t, "hmut") {
		case 0:
			in.Hotspots[i].Denied = true
		case 1:
			in.Hotspots[i].DataOnly = true
		}
	}
	if len(in.Hotspots) > 1 && rapid.IntRange(0, 3).Draw(t, "unregister") == 0 {
		k := rapid.IntRange(0, len(in.Hotspots)-1).Draw(t, "gone")
		in.Hotspots = append(in.Hotspots[:k:k], in.Hotspots[k+1:]...)
	}
	if rapid.IntRange(0, 3).Draw(t, "strangeract") == 0 {
		in.Activity = append(in.Activity, Activity{Device: stranger, LastWitness: t0 - 5})
	}
	// One or two entries repeated: the error must name the same one.
	switch rapid.IntRange(0, 19).Draw(t, "broken") {
	case 0, 1:
		for range rapid.IntRange(1, 2).Draw(t, "nduph") {
			in.Hotspots = append(in.Hotspots, in.Hotspots[rapid.IntRange(0, len(in.Hotspots)-1).Draw(t, "duph")])
		}
	case 2, 3:
		for range rapid.IntRange(1, 2).Draw(t, "ndupa") {
			in.Activity = append(in.Activity, in.Activity[rapid.IntRange(0, len(in.Activity)-1).Draw(t, "dupa")])
		}
	}
	in.Beacons = rapid.Permutation(in.Beacons).Draw(t, "beacons")
	in.Witnesses = rapid.Permutation(in.Witnesses).Draw(t, "witnesses")
	in.Hotspots = rapid.Permutation(in.Hotspots).Draw(t, "hotspots")
	in.Activity = rapid.Permutation(in.Activity).Draw(t, "activity")
	return in
}

// TestScoreMatchesReference checks the dense-index scorer against the
// map-based scorer it replaced (reference_test.go), result for result and
// error for error.
func TestScoreMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawHostileInput(t)
		want, werr := refScore(in, geo.H3{})
		got, gerr := Score(in, geo.H3{})
		if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("got error %v, want %v", gerr, werr)
		}
		if d := diffResults(&got, &want); d != "" {
			t.Fatal(d)
		}
		// The same input with its witnesses in columns scores the same.
		cols := in
		cols.Witnesses, cols.WitnessColumns = nil, WitnessesOf(in.Witnesses)
		again, aerr := Score(cols, geo.H3{})
		if (aerr == nil) != (gerr == nil) || (aerr != nil && aerr.Error() != gerr.Error()) {
			t.Fatalf("columns: got error %v, want %v", aerr, gerr)
		}
		if d := diffResults(&again, &want); d != "" {
			t.Fatal("columns: " + d)
		}
	})
}

// TestScoreMatchesReferenceLarge compares the two on the benchmark's fleet
// shape at a size where every radix path runs.
func TestScoreMatchesReferenceLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large fleet")
	}
	in := genFleet(t, 3_000, 10)
	want, err := refScore(in, geo.H3{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Score(in, geo.H3{})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffResults(&got, &want); d != "" {
		t.Fatalf("3000-device fleet: %s", d)
	}
	// The same fleet given in columns scores the same.
	cols := in
	cols.Witnesses, cols.WitnessColumns = nil, WitnessesOf(in.Witnesses)
	again, err := Score(cols, geo.H3{})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffResults(&again, &want); d != "" {
		t.Fatalf("3000-device fleet in columns: %s", d)
	}
	if want.WitnessShares == 0 {
		t.Fatalf("3000-device fleet: no witness shares; the fleet is not scoring")
	}
}

// diffResults describes the first difference between two results (their
// reports compared verdict by verdict), or returns "".
func diffResults(got, want *Result) string {
	gr, wr := got.Reports.All(), want.Reports.All()
	for i := range min(len(gr), len(wr)) {
		if gr[i] != wr[i] {
			return fmt.Sprintf("report %d: got %+v, want %+v", i, gr[i], wr[i])
		}
	}
	g, w := *got, *want
	g.Reports, w.Reports = Reports{}, Reports{}
	if len(gr) != len(wr) || !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("got %d shares %d reports %d activity, want %d %d %d (or totals differ)",
			len(got.Shares), len(gr), len(got.Activity), len(want.Shares), len(wr), len(want.Activity))
	}
	return ""
}
