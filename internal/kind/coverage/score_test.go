package coverage

import (
	"errors"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"pgregory.net/rapid"
)

func TestScoreRejectsBadInput(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(in *Input)
	}{
		{"empty window", func(in *Input) { in.End = in.Start }},
		{"params out of bounds", func(in *Input) { in.Params.MaxWitnessesPerBeacon = 0 }},
		{"target above max", func(in *Input) { in.Params.Density[0].Target = 2000 }},
		{"duplicate hotspot", func(in *Input) { in.Hotspots = append(in.Hotspots, in.Hotspots[0]) }},
		{"duplicate activity", func(in *Input) { in.Activity = append(in.Activity, in.Activity[0]) }},
		{"conflicting entropy", func(in *Input) {
			e := in.Entropy[0]
			e.Time++
			in.Entropy = append(in.Entropy, e)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := base(t)
			tt.mutate(&f.in)
			if _, err := Score(f.in, geo.H3{}); !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("got error %v, want ErrInvalidInput", err)
			}
		})
	}
	f, _, _, _ := base(t)
	if _, err := Score(f.in, nil); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("nil geo: got %v, want ErrInvalidInput", err)
	}
}

// TestHexScaleApplied is a worked HIP-17 example inside Score: three
// interactive hotspots share one res-8 hex whose HIP-104 limit is 1, so each
// res-8 ancestor clips 3 → 1 and every beaconer there gets scale 1/3 (0.3333
// after rounding); a non-interactive beaconer gets the default 0.2.
func TestHexScaleApplied(t *testing.T) {
	f := newFleet(t)
	// Three hotspots within one res-8 hex (~0.7 km² ), two witnesses 2 km away.
	a := f.place(1, 0, 0)
	f.place(2, 4_000, 0)
	f.place(3, 0, 6_000)
	w1 := f.place(4, 200_000, 0)
	w2 := f.place(5, 0, 300_000)
	cells := []uint64{f.in.Hotspots[0].Cell, f.in.Hotspots[1].Cell, f.in.Hotspots[2].Cell}
	p8 := make(map[uint64]bool)
	for _, c := range cells {
		p8[parentOrFatal(f, c, 8)] = true
	}
	if len(p8) != 1 {
		t.Fatalf("fixture: hotspots span %d res-8 hexes, want 1", len(p8))
	}
	b := f.beacon(a, 1, 0)
	f.witness(w1, b, 100*time.Millisecond)
	f.witness(w2, b, 200*time.Millisecond)
	res := f.score()
	got := findReport(t, res, RoleBeaconer, b.ID)
	if got.HexScale != 3333*Scale/10_000 {
		t.Fatalf("hex scale: got %d, want %d", got.HexScale, 3333*Scale/10_000)
	}
	// 2 witnesses: beaconer 0.5 units, witnesses 1 unit each.
	if want := uint64(5000) * 3333 * (Scale / 100_000_000); got.Share != want {
		t.Errorf("beaconer share: got %d, want %d", got.Share, want)
	}
	// Make the beaconer non-interactive: default scale.
	f.activity(a).LastBeaconRecip = f.in.Start - int64(61*time.Hour)
	res = f.score()
	if got := findReport(t, res, RoleBeaconer, b.ID); got.HexScale != Scale/5 {
		t.Errorf("non-interactive hex scale: got %d, want %d", got.HexScale, Scale/5)
	}
}

// TestReciprocityBootstrap: with no history the earliest beacons fail HIP-106
// but their witnesses gain activity, so later beacons (in the same epoch and
// after) become valid until every beaconer earns.
func TestReciprocityBootstrap(t *testing.T) {
	in := genFleet(t, 16, 4)
	for i := range in.Activity {
		in.Activity[i] = Activity{Device: in.Activity[i].Device}
	}
	var valid []uint64
	for round := 0; round < 3; round++ {
		res, err := Score(in, geo.H3{})
		if err != nil {
			t.Fatal(err)
		}
		n := uint64(0)
		for _, s := range res.Shares {
			if s.Beaconer > 0 {
				n++
			}
		}
		valid = append(valid, n)
		in.Activity = res.Activity
		in.Epoch++
		shift := int64(24 * time.Hour)
		in.Start, in.End = in.Start+shift, in.End+shift
		for i := range in.Entropy {
			in.Entropy[i].Time += shift
		}
		for i := range in.Beacons {
			in.Beacons[i].Received += shift
		}
		for i := range in.Witnesses {
			in.Witnesses[i].Received += shift
		}
	}
	if valid[0] >= 16 {
		t.Errorf("round 0: got %d beaconers with shares, want fewer than 16 (per round %v)", valid[0], valid)
	}
	if valid[2] != 16 {
		t.Errorf("round 2: got %d devices with shares, want 16 (per round %v)", valid[2], valid)
	}
}

func TestCountsMatchReports(t *testing.T) {
	res, err := Score(genFleet(t, 100, 6), geo.H3{})
	if err != nil {
		t.Fatal(err)
	}
	total := uint64(0)
	for _, c := range res.Counts {
		total += c.Count
	}
	if total != uint64(res.Reports.Len()) {
		t.Errorf("counts sum to %d, want %d reports", total, res.Reports.Len())
	}
	if res.ScorerVersion != ScorerVersion || res.Epoch != 7 {
		t.Errorf("header: got version %d epoch %d", res.ScorerVersion, res.Epoch)
	}
}

// drawInput perturbs a small generated epoch with rapid.
func drawInput(t *rapid.T) Input {
	in := genFleet(t, 12, 5)
	for i := range in.Witnesses {
		w := &in.Witnesses[i]
		switch rapid.IntRange(0, 9).Draw(t, "wmut") {
		case 0:
			w.SignalDdBm = int32(rapid.IntRange(-1500, 300).Draw(t, "signal"))
		case 1:
			w.Received += int64(rapid.IntRange(0, 6000).Draw(t, "delay")) * int64(time.Millisecond)
		case 2:
			w.FrequencyHz += uint64(rapid.IntRange(0, 300_000).Draw(t, "df"))
		case 3:
			in.Witnesses = append(in.Witnesses, *w)
		}
	}
	for i := range in.Beacons {
		b := &in.Beacons[i]
		switch rapid.IntRange(0, 9).Draw(t, "bmut") {
		case 0:
			b.Payload = append([]byte(nil), b.Payload...)
			b.Payload[0] ^= 1
		case 1:
			b.TxPowerDBm = int32(rapid.IntRange(10, 20).Draw(t, "tx"))
		case 2:
			in.Activity[i].LastWitness = 0
		}
	}
	for i := range in.Hotspots {
		if rapid.IntRange(0, 15).Draw(t, "deny") == 0 {
			in.Hotspots[i].Denied = true
		}
	}
	return in
}

func TestPropertyPermutationInvariant(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInput(t)
		want, err := Score(in, geo.H3{})
		if err != nil {
			t.Fatal(err)
		}
		perm := in
		perm.Beacons = rapid.Permutation(in.Beacons).Draw(t, "beacons")
		perm.Witnesses = rapid.Permutation(in.Witnesses).Draw(t, "witnesses")
		perm.Hotspots = rapid.Permutation(in.Hotspots).Draw(t, "hotspots")
		perm.Activity = rapid.Permutation(in.Activity).Draw(t, "activity")
		got, err := Score(perm, geo.H3{})
		if err != nil {
			t.Fatal(err)
		}
		if d := diffResults(&got, &want); d != "" {
			t.Fatalf("permuted input gave a different result: %s", d)
		}
	})
}

func TestPropertySharesOnlyFromValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInput(t)
		res, err := Score(in, geo.H3{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Reports.Len() != len(in.Beacons)+len(in.Witnesses) {
			t.Fatalf("got %d report results, want %d", res.Reports.Len(), len(in.Beacons)+len(in.Witnesses))
		}
		var sumB, sumW uint64
		for _, r := range res.Reports.All() {
			if r.Reason != ReasonValid && (r.Share != 0 || r.Units != 0) {
				t.Fatalf("%s report with reason %s earned units %d share %d", r.Role, r.Reason, r.Units, r.Share)
			}
			if r.Role == RoleBeaconer {
				sumB += r.Share
			} else {
				sumW += r.Share
			}
		}
		if sumB != res.BeaconerShares || sumW != res.WitnessShares {
			t.Fatalf("report shares %d/%d, totals %d/%d", sumB, sumW, res.BeaconerShares, res.WitnessShares)
		}
		var devB, devW uint64
		for _, s := range res.Shares {
			devB += s.Beaconer
			devW += s.Witness
		}
		if devB != sumB || devW != sumW {
			t.Fatalf("device shares %d/%d, report shares %d/%d", devB, devW, sumB, sumW)
		}
	})
}
