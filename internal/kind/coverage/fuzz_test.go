package coverage

import (
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
)

// FuzzScore feeds the scorer hostile report fields and registry entries on
// top of a valid scenario. It must never panic, must give every report one
// result, and must never pay an invalid report. Seeds live in
// testdata/fuzz/FuzzScore.
func FuzzScore(f *testing.F) {
	f.Add(int32(-1200), int64(200), uint64(0), []byte{}, []byte{1, 0, 0xbe, 0xac}, uint64(0), int32(16), int32(12), int64(0))
	f.Add(int32(300), int64(-5000), uint64(1<<63), []byte{0xff}, []byte{}, uint64(0x8928308280fffff), int32(-1<<31), int32(1<<31-1), int64(-1<<63))
	f.Fuzz(func(t *testing.T, signal int32, delayMs int64, dFreq uint64, payload, local []byte, cell uint64, tx, gain int32, lastWitness int64) {
		fl, b, w, _ := base(t)
		w.SignalDdBm = signal
		w.Received = b.Received + delayMs*int64(time.Millisecond)
		w.FrequencyHz += dFreq
		if len(payload) > 0 {
			w.Payload = payload
		}
		b.LocalEntropy = local
		b.TxPowerDBm = tx
		fl.in.Hotspots[2].Cell = cell
		fl.in.Hotspots[0].GainDdBi = gain
		fl.in.Activity[0].LastWitness = lastWitness
		res, err := Score(fl.in, geo.H3{})
		if err != nil {
			t.Fatalf("Score: %v", err)
		}
		if res.Reports.Len() != len(fl.in.Beacons)+len(fl.in.Witnesses) {
			t.Fatalf("got %d results, want %d", res.Reports.Len(), len(fl.in.Beacons)+len(fl.in.Witnesses))
		}
		for _, r := range res.Reports.All() {
			if r.Reason != ReasonValid && r.Share != 0 {
				t.Fatalf("%s %s earned %d", r.Role, r.Reason, r.Share)
			}
		}
	})
}
