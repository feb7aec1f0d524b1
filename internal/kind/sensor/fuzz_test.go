package sensor

import (
	"testing"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
)

// FuzzCheckReport: body checks never panic, and a reading that passes
// re-encodes to a body that passes.
func FuzzCheckReport(f *testing.F) {
	r := Reading{Mask: 1<<ChTemperature | 1<<ChHumidity, Values: [NumChannels]int64{ChTemperature: 1200, ChHumidity: 5000}, Fix: Fix{Has: true, LatE7: cityLat, LngE7: cityLng, Satellites: 8}}
	f.Add(EncodeReading(&r), true)
	f.Add([]byte{0x0a, 0x03, 0x0a, 0x01, 0x78}, true)
	f.Add([]byte{0x08, 0x01, 0x12, 0x02, 0x76, 0x31}, false)
	f.Fuzz(func(t *testing.T, body []byte, reading bool) {
		typ := TypeHeartbeat
		if reading {
			typ = TypeReading
		}
		if err := (Kind{}).CheckReport(typ, body, nil); err != nil || !reading {
			return
		}
		var x Reading
		if err := DecodeReading(body, &x); err != nil {
			t.Fatalf("checked body does not decode: %v", err)
		}
		if err := DecodeReading(EncodeReading(&x), &x); err != nil {
			t.Fatalf("re-encoded body refused: %v", err)
		}
	})
}

// FuzzScore scores a small fleet with one hostile report and hostile
// state: never a panic or error, one reason per report, nothing paid to a
// refused report.
func FuzzScore(f *testing.F) {
	f.Add([]byte{0x0a, 0x03, 0x0a, 0x01, 0x78}, int64(0), int64(0), []byte{}, uint64(0))
	f.Add([]byte{}, int64(-1<<63), int64(1<<62), []byte{1, 1}, uint64(0x8c1f1d4a8c8a9ff))
	f.Fuzz(func(t *testing.T, body []byte, dRecv, dTime int64, state []byte, cell uint64) {
		fl := newFleet(t, 6, 2, 12, map[int]behaviour{1: heater, 7: spoofer})
		in := fl.input(1, nil)
		if _, err := DecodeState(state); err == nil {
			in.State = state
		}
		in.Devices[2].Cell = cell
		rep := in.Reports[3]
		rep.Body, rep.Received, rep.Timestamp = body, rep.Received+dRecv, rep.Timestamp+dTime
		rep.ID[0] ^= 0x55
		if (Kind{}).CheckReport(rep.Type, rep.Body, nil) == nil {
			in.Reports = append(in.Reports, rep)
		}
		in.Geo = geo.H3{}
		out, err := ScoreInput(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Reasons) != len(in.Reports) {
			t.Fatalf("got %d reasons for %d reports", len(out.Reasons), len(in.Reports))
		}
		var sum uint64
		for _, r := range out.Reasons {
			if r.Reason != "valid" && r.Share != 0 {
				t.Fatalf("%s report paid %d", r.Reason, r.Share)
			}
			sum += r.Share
		}
		var units uint64
		for _, s := range out.Shares {
			units += s.Units
		}
		if sum != units {
			t.Fatalf("report shares %d, device units %d", sum, units)
		}
		_ = kind.ReasonValid
	})
}

// FuzzDecodeState: a state either decodes and re-encodes to itself or is
// refused.
func FuzzDecodeState(f *testing.F) {
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := DecodeState(b)
		if err != nil || len(b) == 0 {
			return
		}
		if got := encodeState(es); string(got) != string(b) {
			t.Fatalf("state does not round trip: %x -> %x", b, got)
		}
	})
}
