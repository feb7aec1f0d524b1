package coverage

import (
	"testing"
	"time"
)

// base builds a valid scenario: A beacons, B and C witness it.
func base(t *testing.T) (f *fleet, b *Beacon, wb, wc *Witness) {
	f = newFleet(t)
	a := f.place(1, 0, 0)
	bb := f.place(2, 100_000, 0) // ~1.1 km north
	cc := f.place(3, 0, 150_000) // ~1.0 km east
	f.place(4, 1_000, 0)         // ~11 m away: too close
	f.place(5, 10_000_000, 0)    // ~111 km away: too far
	b = f.beacon(a, 1, 10*time.Second)
	wb = f.witness(bb, b, 200*time.Millisecond)
	wc = f.witness(cc, b, 300*time.Millisecond)
	return f, b, wb, wc
}

func TestBeaconReasons(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *fleet, b *Beacon)
		want   Reason
	}{
		{"valid", func(f *fleet, b *Beacon) {}, ReasonValid},
		{"outside epoch", func(f *fleet, b *Beacon) { b.Received = f.in.End }, ReasonOutsideEpoch},
		{"unknown device", func(f *fleet, b *Beacon) { f.hotspot(b.Device).Device = devAddr(99) }, ReasonUnknownDevice},
		{"not asserted", func(f *fleet, b *Beacon) { f.hotspot(b.Device).Cell = 0 }, ReasonNotAsserted},
		{"invalid asserted cell", func(f *fleet, b *Beacon) { f.hotspot(b.Device).Cell = 12345 }, ReasonNotAsserted},
		{"denied", func(f *fleet, b *Beacon) { f.hotspot(b.Device).Denied = true }, ReasonDenied},
		{"unknown entropy height", func(f *fleet, b *Beacon) { b.EntropyHeight = 101 }, ReasonUnknownEntropy},
		{"entropy hash mismatch", func(f *fleet, b *Beacon) { b.EntropyHash[0] ^= 1 }, ReasonUnknownEntropy},
		{"before entropy", func(f *fleet, b *Beacon) { b.Received = t0 - 1 }, ReasonEntropyExpired},
		{"after entropy lifespan", func(f *fleet, b *Beacon) { b.Received = t0 + int64(181*time.Second) }, ReasonEntropyExpired},
		{"data only", func(f *fleet, b *Beacon) { f.hotspot(b.Device).DataOnly = true }, ReasonInvalidCapability},
		{"beaconed in this interval", func(f *fleet, b *Beacon) { f.activity(b.Device).LastBeacon = b.Received - 1 }, ReasonIrregularInterval},
		{"payload altered", func(f *fleet, b *Beacon) { b.Payload[10] ^= 1 }, ReasonInvalidPacket},
		{"short local entropy", func(f *fleet, b *Beacon) { b.LocalEntropy = b.LocalEntropy[:3] }, ReasonInvalidPacket},
		{"wrong channel", func(f *fleet, b *Beacon) { b.FrequencyHz += 200_000 }, ReasonInvalidPacket},
		{"region differs from registry", func(f *fleet, b *Beacon) { b.Region = RegionUS915 }, ReasonInvalidPacket},
		{"tx power above region maximum", func(f *fleet, b *Beacon) { b.TxPowerDBm = 17 }, ReasonInvalidPacket},
		{"no witness by beaconer in 48h", func(f *fleet, b *Beacon) {
			f.activity(b.Device).LastWitness = b.Received - int64(48*time.Hour)
		}, ReasonNoValidWitnesses},
		{"never witnessed", func(f *fleet, b *Beacon) { f.activity(b.Device).LastWitness = 0 }, ReasonNoValidWitnesses},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b, wb, _ := base(t)
			id := b.ID
			tt.mutate(f, b)
			res := f.score()
			got := findReport(t, res, RoleBeaconer, id)
			if got.Reason != tt.want {
				t.Fatalf("beacon reason: got %s (%s), want %s", got.Reason, got.Detail, tt.want)
			}
			w := findReport(t, res, RoleWitness, wb.ID)
			if tt.want == ReasonValid {
				if w.Reason != ReasonValid || got.Share == 0 || w.Share == 0 {
					t.Fatalf("valid case: got witness %s, beacon share %d, witness share %d", w.Reason, got.Share, w.Share)
				}
				return
			}
			if w.Reason != ReasonBeaconInvalid || w.Detail != "beacon: "+tt.want.String() {
				t.Errorf("witness of invalid beacon: got %s %q, want beacon_invalid %q", w.Reason, w.Detail, "beacon: "+tt.want.String())
			}
			if got.Share != 0 || w.Share != 0 || len(res.Shares) != 0 {
				t.Errorf("invalid beacon earned: beacon %d, witness %d, shares %v", got.Share, w.Share, res.Shares)
			}
		})
	}
}

func TestWitnessReasons(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *fleet, b *Beacon, w *Witness)
		want   Reason
	}{
		{"valid", func(f *fleet, b *Beacon, w *Witness) {}, ReasonValid},
		{"unknown device", func(f *fleet, b *Beacon, w *Witness) { w.Device = devAddr(98) }, ReasonUnknownDevice},
		{"not asserted", func(f *fleet, b *Beacon, w *Witness) { f.hotspot(w.Device).Cell = 0 }, ReasonNotAsserted},
		{"denied", func(f *fleet, b *Beacon, w *Witness) { f.hotspot(w.Device).Denied = true }, ReasonDenied},
		{"self witness", func(f *fleet, b *Beacon, w *Witness) { w.Device = b.Device }, ReasonSelfWitness},
		{"after entropy lifespan", func(f *fleet, b *Beacon, w *Witness) {
			b.Received = t0 + int64(179*time.Second)
			f.in.Witnesses[1].Received = b.Received + 1
			w.Received = t0 + int64(181*time.Second)
		}, ReasonEntropyExpired},
		{"4 s after the beacon", func(f *fleet, b *Beacon, w *Witness) { w.Received = b.Received + int64(4001*time.Millisecond) }, ReasonTooLate},
		{"1.5 s after a first witness that preceded the beacon", func(f *fleet, b *Beacon, w *Witness) {
			f.in.Witnesses[1].Received = b.Received - int64(time.Second)
			w.Received = b.Received + int64(501*time.Millisecond)
		}, ReasonTooLate},
		{"after the epoch's receive window, inside the time window", func(f *fleet, b *Beacon, w *Witness) {
			// The beacon arrives 1 s before the window closes, the witness
			// 2 s later: in time for Helium's 4 s, but once the beacon could
			// be read publicly (issue 19).
			f.in.End = b.Received + int64(time.Second)
			f.in.Witnesses[1].Received = b.Received + 1
			w.Received = b.Received + int64(2*time.Second)
		}, ReasonAfterPublic},
		{"data only", func(f *fleet, b *Beacon, w *Witness) { f.hotspot(w.Device).DataOnly = true }, ReasonInvalidCapability},
		{"frequency off by 100.001 kHz", func(f *fleet, b *Beacon, w *Witness) { w.FrequencyHz = b.FrequencyHz + 100_001 }, ReasonInvalidFrequency},
		{"other region", func(f *fleet, b *Beacon, w *Witness) { f.hotspot(w.Device).Region = RegionUS915 }, ReasonInvalidRegion},
		{"11 m away", func(f *fleet, b *Beacon, w *Witness) { w.Device = devAddr(4) }, ReasonBelowMinDistance},
		{"cell coarser than res 11", func(f *fleet, b *Beacon, w *Witness) {
			h := f.hotspot(w.Device)
			h.Cell = parentOrFatal(f, h.Cell, 8)
		}, ReasonBelowMinDistance},
		{"111 km away", func(f *fleet, b *Beacon, w *Witness) { w.Device = devAddr(5) }, ReasonMaxDistance},
		{"signal above free space", func(f *fleet, b *Beacon, w *Witness) { w.SignalDdBm = -300 }, ReasonRSSIAboveFSPL},
		{"no valid beacon by witness in 48h", func(f *fleet, b *Beacon, w *Witness) {
			f.activity(w.Device).LastBeaconRecip = w.Received - int64(48*time.Hour)
		}, ReasonNoValidBeacons},
		{"payload matches no beacon", func(f *fleet, b *Beacon, w *Witness) {
			w.Payload = append([]byte(nil), w.Payload...)
			w.Payload[0] ^= 1
		}, ReasonInvalidPacket},
		{"beaconer sent no beacon", func(f *fleet, b *Beacon, w *Witness) { w.Beaconer = devAddr(3) }, ReasonUnknownBeacon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b, w, _ := base(t)
			id := w.ID
			tt.mutate(f, b, w)
			res := f.score()
			got := findReport(t, res, RoleWitness, id)
			if got.Reason != tt.want {
				t.Fatalf("witness reason: got %s (%s), want %s", got.Reason, got.Detail, tt.want)
			}
			if (got.Share != 0) != (tt.want == ReasonValid) {
				t.Errorf("witness share: got %d with reason %s", got.Share, got.Reason)
			}
		})
	}
}

func parentOrFatal(f *fleet, cell uint64, res int) uint64 {
	f.t.Helper()
	p, err := geoH3.Parent(cell, res)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func TestWitnessDuplicates(t *testing.T) {
	f, b, wb, _ := base(t)
	again := *wb
	again.ID = idOf("again")
	again.Received += 10
	f.in.Witnesses = append(f.in.Witnesses, again, *wb)
	res := f.score()
	if got := findReport(t, res, RoleWitness, again.ID); got.Reason != ReasonDuplicate {
		t.Errorf("second witness by device: got %s, want duplicate", got.Reason)
	}
	n := 0
	for _, r := range res.Reports.All() {
		if r.Role == RoleWitness && r.ID == wb.ID {
			n++
			if r.Reason != ReasonValid && r.Reason != ReasonDuplicate {
				t.Errorf("repeated report id: got %s", r.Reason)
			}
		}
	}
	if n != 2 {
		t.Errorf("repeated report id: got %d results, want 2", n)
	}
	if got := findReport(t, res, RoleBeaconer, b.ID); got.Units != 5000*Scale/10_000 {
		t.Errorf("beaconer units with 2 distinct valid witnesses: got %d, want %d", got.Units, 5000*Scale/10_000)
	}
}

func TestBeaconDuplicates(t *testing.T) {
	f, b, _, _ := base(t)
	same := *b
	f.in.Beacons = append(f.in.Beacons, same)
	replay := *b
	replay.ID = idOf("replay")
	replay.Received += int64(time.Second)
	f.in.Beacons = append(f.in.Beacons, replay)
	res := f.score()
	reasons := map[Reason]int{}
	for _, r := range res.Reports.All() {
		if r.Role == RoleBeaconer {
			reasons[r.Reason]++
		}
	}
	if reasons[ReasonValid] != 1 || reasons[ReasonDuplicate] != 2 {
		t.Errorf("beacon reasons: got %v, want 1 valid and 2 duplicate", reasons)
	}
}

// TestWitnessSelection checks HIP-83: the first 14 valid witnesses by receive
// time are selected, the rest are valid but not selected.
func TestWitnessSelection(t *testing.T) {
	f := newFleet(t)
	a := f.place(1, 0, 0)
	b := f.beacon(a, 1, 0)
	var ids [][32]byte
	for i := 0; i < 16; i++ {
		d := f.place(10+i, int64(40_000+i*40_000), int64((i%4)*30_000))
		// Later devices arrive earlier: selection is by receive time.
		ids = append(ids, f.witness(d, b, time.Duration(100-i)*time.Millisecond).ID)
	}
	res := f.score()
	for i, id := range ids {
		got := findReport(t, res, RoleWitness, id)
		want := ReasonValid
		if i < 2 {
			want = ReasonNotSelected
		}
		if got.Reason != want {
			t.Errorf("witness %d: got %s (%s), want %s", i, got.Reason, got.Detail, want)
		}
	}
	if got := findReport(t, res, RoleBeaconer, b.ID); got.Units != 18926*Scale/10_000 {
		t.Errorf("beaconer units with 14 selected: got %d, want %d", got.Units, 18926*Scale/10_000)
	}
}
