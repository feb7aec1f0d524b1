package sim

import (
	"crypto/sha256"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

func testPlan(t *testing.T, n int, frac float64) []Member {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Devices, cfg.AdversaryFraction = n, frac
	ms, err := Plan(cfg, 10)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return ms
}

func TestPlanClasses(t *testing.T) {
	for _, tc := range []struct {
		n    int
		frac float64
		want map[Class]int
	}{
		{40, 0.25, map[Class]int{Honest: 30, Spoofer: 2, Forger: 2, Replayer: 2, Clique: 2, Eavesdropper: 2}},
		{200, 0.1, map[Class]int{Honest: 180, Spoofer: 4, Forger: 4, Replayer: 4, Clique: 4, Eavesdropper: 4}},
		{10, 0.1, map[Class]int{Honest: 9, Spoofer: 1}},
		{20, 0.25, map[Class]int{Honest: 15, Spoofer: 2, Forger: 1, Replayer: 1, Eavesdropper: 1}}, // a lone clique member spoofs
		{7, 0, map[Class]int{Honest: 7}},
	} {
		got := map[Class]int{}
		for _, m := range testPlan(t, tc.n, tc.frac) {
			got[m.Class]++
		}
		for _, c := range append([]Class{Honest}, Adversaries...) {
			if got[c] != tc.want[c] {
				t.Errorf("%d devices, fraction %v: got %d %s, want %d", tc.n, tc.frac, got[c], c, tc.want[c])
			}
		}
	}
}

func TestPlanDeterministic(t *testing.T) {
	a, b := testPlan(t, 60, 0.2), testPlan(t, 60, 0.2)
	for i := range a {
		if a[i].Key.Address() != b[i].Key.Address() || a[i].Cell != b[i].Cell || a[i].Class != b[i].Class ||
			a[i].FirstBeacon != b[i].FirstBeacon || a[i].LatE7 != b[i].LatE7 {
			t.Fatalf("device %d: got %+v and %+v from the same config", i, a[i], b[i])
		}
	}
	cfg := DefaultConfig()
	cfg.Devices, cfg.Seed = 60, 2
	c, _ := Plan(cfg, 10)
	if c[0].Key.Address() == a[0].Key.Address() || c[0].LatE7 == a[0].LatE7 {
		t.Errorf("seeds 1 and 2 gave the same device 0")
	}
}

// TestPlanGeometry checks what the scorer will check: every pair of
// devices asserting their true cell is at the minimum witness distance or
// more, every honest device hears several others, spoofers claim cells
// beyond the maximum witness distance from every other device, and clique
// members cannot hear each other.
func TestPlanGeometry(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Devices, cfg.AdversaryFraction = 200, 0.2
	ms, err := Plan(cfg, 10)
	if err != nil {
		t.Fatal(err)
	}
	p := coverage.DefaultParams()
	plan, _ := cfg.Region.Plan()
	f := acov.Frame{Payload: []byte("x"), FrequencyHz: plan.ChannelsHz[0], TxPowerDdBm: plan.MaxTxPowerDBm * 10, Region: cfg.Region}
	medium := acov.NewSimMedium(acov.SimConfig{SensitivityDdBm: -1230, FadingDdB: 100}, nil)
	medium.Obstruction = clutter(f.FrequencyHz)
	place := func(m Member) acov.SimPlacement {
		return acov.SimPlacement{ID: m.Key.Address().String(), LatE7: m.LatE7, LonE7: m.LonE7, GainDdBi: m.GainDdBi, ObstructionDdB: m.ObstructionDdB, Region: cfg.Region}
	}
	for i, a := range ms {
		heard := 0
		for j, b := range ms {
			if i == j {
				continue
			}
			if a.Class == Spoofer || b.Class == Spoofer {
				ca, _ := geo.Center(a.Cell)
				cb, _ := geo.Center(b.Cell)
				if d := acov.DistanceM(ca.LatE7, ca.LngE7, cb.LatE7, cb.LngE7); d <= float64(p.MaxDistanceKm)*1000 {
					t.Errorf("devices %d (%s) and %d (%s): asserted %.0f m apart, want beyond %d km", i, a.Class, j, b.Class, d, p.MaxDistanceKm)
				}
				continue
			}
			pa, _ := geo.Parent(a.Cell, int(p.CellDistanceRes))
			pb, _ := geo.Parent(b.Cell, int(p.CellDistanceRes))
			if gd, err := geo.GridDistance(pa, pb); err != nil || gd < int64(p.MinCellDistance) {
				t.Errorf("devices %d and %d: got grid distance %d (%v), want at least %d", i, j, gd, err, p.MinCellDistance)
			}
			rssi, ok := medium.Link(place(a), place(b), f)
			if !ok {
				continue
			}
			heard++
			bound, err := FreeSpaceBoundDdBm(f.TxPowerDdBm, a.GainDdBi, b.GainDdBi, a.Cell, b.Cell, f.FrequencyHz)
			if err != nil || rssi > bound {
				t.Errorf("devices %d -> %d: got signal %d ddBm, above the free-space bound %d (%v)", i, j, rssi, bound, err)
			}
			if a.Class == Clique && b.Class == Clique {
				t.Errorf("clique members %d and %d hear each other (%d ddBm), want out of range", i, j, rssi)
			}
		}
		if a.Class == Honest && heard < 3 {
			t.Errorf("honest device %d hears %d devices, want at least 3", i, heard)
		}
	}
}

// TestPlanProperties checks placement invariants for any size and seed:
// devices stand at least 3/5 of the spacing apart, first beacons fall
// inside the span in distinct slots, and keys are distinct.
func TestPlanProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg := DefaultConfig()
		cfg.Devices = rapid.IntRange(0, 80).Draw(rt, "devices")
		cfg.AdversaryFraction = float64(rapid.IntRange(0, 99).Draw(rt, "pct")) / 100
		cfg.Seed = rapid.Uint64().Draw(rt, "seed")
		cfg.SpacingM = rapid.IntRange(500, 5000).Draw(rt, "spacing")
		ms, err := Plan(cfg, rapid.IntRange(1, 12).Draw(rt, "owners"))
		if err != nil {
			rt.Fatalf("Plan: %v", err)
		}
		if len(ms) != cfg.Devices {
			rt.Fatalf("got %d devices, want %d", len(ms), cfg.Devices)
		}
		keys := map[ledger.Address]bool{}
		slots := map[int64]bool{}
		adv := 0
		for i, a := range ms {
			if a.Class != Honest {
				adv++
			}
			if keys[ledger.Address(a.Key.Address())] {
				rt.Fatalf("device %d: key used twice", i)
			}
			keys[ledger.Address(a.Key.Address())] = true
			if a.FirstBeacon <= 0 || a.FirstBeacon >= cfg.FirstBeaconSpan || slots[int64(a.FirstBeacon)] {
				rt.Fatalf("device %d: first beacon at %v, want a distinct slot in (0, %v)", i, a.FirstBeacon, cfg.FirstBeaconSpan)
			}
			slots[int64(a.FirstBeacon)] = true
			for _, b := range ms[i+1:] {
				if d := acov.DistanceM(a.LatE7, a.LonE7, b.LatE7, b.LonE7); d < 0.59*float64(cfg.SpacingM) {
					rt.Fatalf("devices %d and %d: %.0f m apart, want at least 3/5 of %d m", a.Index, b.Index, d, cfg.SpacingM)
				}
			}
		}
		want := adversaryCount(cfg.Devices, cfg.AdversaryFraction)
		if adv != want {
			rt.Fatalf("got %d adversaries, want %d", adv, want)
		}
	})
}

func TestDeviceKey(t *testing.T) {
	a, b := DeviceKey(1, 0), DeviceKey(1, 1)
	if a.Address() == b.Address() {
		t.Fatal("devices 0 and 1 have the same key")
	}
	s := sha256.Sum256(append([]byte("depin-devnet/fleet/"), 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0))
	want, _ := agent.KeyFromSeed(s[:])
	if a.Address() != want.Address() {
		t.Errorf("got device 0 key %s, want %s (keys must not change between releases)", a.Address(), want.Address())
	}
}

func TestHataAboveFreeSpace(t *testing.T) {
	for _, d := range []float64{1000, 2000, 3000, 5000, 10000, 20000} {
		h, fs := HataLossDB(d, 868_100_000), acov.FreeSpacePathLossDB(d, 868_100_000)
		if h-fs < 30 || h-fs > 60 {
			t.Errorf("at %.0f m: got Hata %.1f dB, free space %.1f dB, want 30 to 60 dB more", d, h, fs)
		}
	}
}

func TestNextBeaconOnePerBucket(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Devices, cfg.BeaconInterval = 30, time.Minute
	f, err := New(cfg, Keys{Maker: sig.KeyFromSeed(make([]byte, 32)), Owners: []sig.PrivateKey{sig.KeyFromSeed(make([]byte, 32))}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	iv := int64(time.Minute)
	for _, d := range f.devs {
		at := time.Unix(1_800_000_000, 123)
		for range 5 {
			next := f.nextBeacon(d, at)
			gotBucket, wantBucket := next.UnixNano()/iv, at.UnixNano()/iv+1
			phase := next.UnixNano() % iv
			if gotBucket != wantBucket || phase < iv/20 || phase > iv*19/20 {
				t.Fatalf("device %d after %v: got %v (bucket %d, phase %v), want bucket %d at 5%%-95%%",
					d.m.Index, at, next, gotBucket, time.Duration(phase), wantBucket)
			}
			at = next.Add(time.Duration(iv / 25)) // a late beacon
		}
	}
}
