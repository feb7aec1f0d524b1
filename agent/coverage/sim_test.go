package coverage

import (
	"context"
	"math"
	"testing"
)

// Positions along a meridian: 1e-7 degree of latitude is ~1.11 cm, so
// 90_000 units is ~1 km.
const e7PerKm = 89_932

func testFrame(t *testing.T, seed byte) Frame {
	t.Helper()
	f, err := BeaconFrame(testKey(t, seed), testEntropy(3).Block, [4]byte{seed}, RegionEU868)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFreeSpacePathLoss(t *testing.T) {
	tests := []struct {
		d    float64
		f    uint64
		want float64
	}{
		// 20·log10(d_km) + 20·log10(f_MHz) + 32.44 (Friis in practical units).
		{1000, 868_100_000, 20*math.Log10(1) + 20*math.Log10(868.1) + 32.44},
		{10_000, 915_000_000, 20*math.Log10(10) + 20*math.Log10(915) + 32.44},
		{0, 868_100_000, 20*math.Log10(0.001) + 20*math.Log10(868.1) + 32.44}, // clamped to 1 m
	}
	for _, tt := range tests {
		if got := FreeSpacePathLossDB(tt.d, tt.f); math.Abs(got-tt.want) > 0.01 {
			t.Errorf("FSPL(%v m, %d Hz): got %.3f dB, want %.3f", tt.d, tt.f, got, tt.want)
		}
	}
	if got := DistanceM(0, 0, e7PerKm*10, 0); math.Abs(got-10_000) > 5 {
		t.Errorf("10 km of latitude: got %.1f m", got)
	}
}

func TestSimSignalFallsWithDistance(t *testing.T) {
	cfg := DefaultSimConfig()
	cfg.FadingDdB = 0
	m := NewSimMedium(cfg, nil)
	f := testFrame(t, 1)
	from := SimPlacement{ID: "tx", Region: RegionEU868}
	prev := int32(math.MaxInt32)
	for _, km := range []int64{0, 1, 2, 5, 10, 50, 100, 300} {
		rssi, _ := m.Link(from, SimPlacement{ID: "rx", LatE7: km * e7PerKm, Region: RegionEU868}, f)
		if rssi >= prev {
			t.Errorf("%d km: got %d ddBm, want below %d", km, rssi, prev)
		}
		prev = rssi
		if km == 0 {
			continue
		}
		// An honest signal never exceeds free space: the scorer's check.
		bound := float64(f.TxPowerDdBm) - 10*FreeSpacePathLossDB(float64(km)*1000, f.FrequencyHz)
		if float64(rssi) > bound {
			t.Errorf("%d km: got %d ddBm above the free-space bound %.1f", km, rssi, bound)
		}
	}
}

func TestSimDelivery(t *testing.T) {
	cfg := DefaultSimConfig()
	cfg.Seed = 42
	m := NewSimMedium(cfg, nil)
	join := func(id string, latE7 int64, r Region, obstruction int32) *SimRadio {
		t.Helper()
		rd, err := m.Join(SimPlacement{ID: id, LatE7: latE7, Region: r, ObstructionDdB: obstruction})
		if err != nil {
			t.Fatal(err)
		}
		return rd
	}
	tx := join("tx", 0, RegionEU868, 0)
	near := join("near", 2*e7PerKm, RegionEU868, 0)
	walled := join("walled", 2*e7PerKm+1, RegionEU868, 300)
	far := join("far", 400*e7PerKm, RegionEU868, 0)
	us := join("us", e7PerKm, RegionUS915, 0)
	if _, err := m.Join(SimPlacement{ID: "near", Region: RegionEU868}); err == nil {
		t.Error("joining with a taken id: got nil error")
	}

	f := testFrame(t, 2)
	if err := tx.Transmit(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	got := func(r *SimRadio) (Heard, bool) {
		select {
		case h := <-r.Heard():
			return h, true
		default:
			return Heard{}, false
		}
	}
	hn, ok := got(near)
	if !ok {
		t.Fatal("radio 2 km away heard nothing")
	}
	if string(hn.Frame.Payload) != string(f.Payload) || hn.FrequencyHz != f.FrequencyHz {
		t.Errorf("got frame %x at %d Hz, want %x at %d", hn.Frame.Payload, hn.FrequencyHz, f.Payload, f.FrequencyHz)
	}
	if hn.SignalDdBm < cfg.SensitivityDdBm || hn.SNRDdB > cfg.MaxSNRDdB {
		t.Errorf("got signal %d snr %d, want signal >= %d, snr <= %d", hn.SignalDdBm, hn.SNRDdB, cfg.SensitivityDdBm, cfg.MaxSNRDdB)
	}
	// 30 dB of walls, give or take the 10 dB fading of each link.
	if hw, ok := got(walled); !ok || hw.SignalDdBm > hn.SignalDdBm-200 {
		t.Errorf("obstructed radio: got heard %v signal %d, want at least 20 dB below %d", ok, hw.SignalDdBm, hn.SignalDdBm)
	}
	if h, ok := got(far); ok {
		t.Errorf("radio 400 km away heard signal %d, want nothing (sensitivity %d)", h.SignalDdBm, cfg.SensitivityDdBm)
	}
	if _, ok := got(us); ok {
		t.Error("radio in another region heard the beacon")
	}
	if _, ok := got(tx); ok {
		t.Error("transmitter heard its own beacon")
	}
	if s := m.Stats(); s.Transmitted != 1 || s.Delivered != 2 || s.TooWeak != 1 {
		t.Errorf("got stats %+v, want 1 transmitted, 2 delivered, 1 too weak", s)
	}
}

func TestSimFadingSeeded(t *testing.T) {
	cfg := DefaultSimConfig()
	from := SimPlacement{ID: "a", Region: RegionEU868}
	to := SimPlacement{ID: "b", LatE7: 3 * e7PerKm, Region: RegionEU868}
	cfg.FadingDdB = 0
	clear, _ := NewSimMedium(cfg, nil).Link(from, to, testFrame(t, 1))
	cfg.FadingDdB = 150
	cfg.Seed = 1
	m1, m2 := NewSimMedium(cfg, nil), NewSimMedium(cfg, nil)
	cfg.Seed = 2
	other := NewSimMedium(cfg, nil)
	differs := false
	for i := range 20 {
		f := testFrame(t, byte(i))
		a, _ := m1.Link(from, to, f)
		b, _ := m2.Link(from, to, f)
		c, _ := other.Link(from, to, f)
		if a != b {
			t.Errorf("frame %d: same seed gave %d and %d", i, a, b)
		}
		if a != c {
			differs = true
		}
		// Fading only subtracts, by at most FadingDdB (+1 for rounding).
		if a > clear+1 || a < clear-cfg.FadingDdB-1 {
			t.Errorf("frame %d: got %d, want within [%d, %d]", i, a, clear-cfg.FadingDdB, clear)
		}
	}
	if !differs {
		t.Error("a different seed never changed the fading")
	}
}

func TestSimOverflowAndErrors(t *testing.T) {
	cfg := DefaultSimConfig()
	cfg.QueueLen = 1
	m := NewSimMedium(cfg, nil)
	tx, _ := m.Join(SimPlacement{ID: "tx", Region: RegionEU868})
	rx, _ := m.Join(SimPlacement{ID: "rx", LatE7: e7PerKm, Region: RegionEU868})
	for i := range 3 {
		if err := tx.Transmit(context.Background(), testFrame(t, byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	if s := m.Stats(); s.Delivered != 1 || s.Overflowed != 2 || len(rx.Heard()) != 1 {
		t.Errorf("got stats %+v, want 1 delivered and 2 overflowed", s)
	}
	us := testFrame(t, 9)
	us.Region = RegionUS915
	if err := tx.Transmit(context.Background(), us); err == nil {
		t.Error("transmitting a frame of another region: got nil error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tx.Transmit(ctx, testFrame(t, 1)); err == nil {
		t.Error("transmitting with a done context: got nil error")
	}
	for _, p := range []SimPlacement{
		{ID: "", Region: RegionEU868},
		{ID: "x", LatE7: 900_000_001, Region: RegionEU868},
		{ID: "y", Region: RegionUnknown},
	} {
		if _, err := m.Join(p); err == nil {
			t.Errorf("join %+v: got nil error", p)
		}
	}
}
