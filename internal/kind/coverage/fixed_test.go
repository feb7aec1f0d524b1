package coverage

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// The tests below use float64 only as an independent reference for the
// integer methods; no scorer code uses floating point.

func refDistanceM(lat1, lng1, lat2, lng2 int64) float64 {
	toRad := func(e7 int64) float64 { return float64(e7) / 1e7 * math.Pi / 180 }
	p1, p2 := toRad(lat1), toRad(lat2)
	dp, dl := p2-p1, toRad(lng2)-toRad(lng1)
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(a))
}

func TestSinCos(t *testing.T) {
	for deg := int64(-720); deg <= 720; deg += 7 {
		a := deg*10_000_000 + 1234567
		s, c := sinCosE7(a)
		rad := float64(a) / 1e7 * math.Pi / 180
		if d := math.Abs(float64(s)/q30 - math.Sin(rad)); d > 1e-8 {
			t.Errorf("sin(%d e-7 deg): got %v, want %v", a, float64(s)/q30, math.Sin(rad))
		}
		if d := math.Abs(float64(c)/q30 - math.Cos(rad)); d > 1e-8 {
			t.Errorf("cos(%d e-7 deg): got %v, want %v", a, float64(c)/q30, math.Cos(rad))
		}
	}
}

func TestDistanceKnown(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lng1, lat2, lng2 int64
		want                   uint64
	}{
		{"same point", 377759000, -1224180000, 377759000, -1224180000, 0},
		// One degree of latitude on a sphere of radius 6371007 m.
		{"one degree north", 0, 0, 10_000_000, 0, 111195},
		{"one degree east at equator", 0, 0, 0, 10_000_000, 111195},
		{"across the antimeridian", 0, 1795000000, 0, -1795000000, 111195},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := distanceM(unitPoint(tt.lat1, tt.lng1), unitPoint(tt.lat2, tt.lng2))
			if got != tt.want {
				t.Errorf("got %d m, want %d m", got, tt.want)
			}
		})
	}
}

// TestDistanceAgainstHaversine checks the documented error bound: within 1 m
// of the float haversine up to 1000 km.
func TestDistanceAgainstHaversine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lat := rapid.Int64Range(-85*10_000_000, 85*10_000_000).Draw(t, "lat")
		lng := rapid.Int64Range(-180*10_000_000, 180*10_000_000).Draw(t, "lng")
		dlat := rapid.Int64Range(-4_5000_000, 4_5000_000).Draw(t, "dlat")
		dlng := rapid.Int64Range(-4_5000_000, 4_5000_000).Draw(t, "dlng")
		want := refDistanceM(lat, lng, lat+dlat, lng+dlng)
		if want > 1_000_000 {
			return
		}
		got := distanceM(unitPoint(lat, lng), unitPoint(lat+dlat, lng+dlng))
		if math.Abs(float64(got)-want) > 1 {
			t.Fatalf("got %d m, want %.2f m", got, want)
		}
	})
}

func TestDistanceMonotonicBeyondRange(t *testing.T) {
	prev := uint64(0)
	for deg := int64(0); deg <= 180; deg += 5 {
		got := distanceM(unitPoint(0, 0), unitPoint(0, deg*10_000_000))
		if got < prev {
			t.Fatalf("distance at %d degrees: got %d < %d at the previous step", deg, got, prev)
		}
		prev = got
	}
}

func TestLog2(t *testing.T) {
	for _, x := range []uint64{1, 2, 3, 10, 1000, 868_100_000, 99_999, 1 << 40, math.MaxUint64} {
		got := float64(log2Q32(x)) / (1 << 32)
		want := math.Log2(float64(x))
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("log2(%d): got %.12f, want %.12f", x, got, want)
		}
	}
}

func TestFSPL(t *testing.T) {
	tests := []struct {
		d, f uint64
	}{
		{1000, 868_100_000}, {100_000, 904_100_000}, {2500, 917_000_000}, {1, 1},
	}
	for _, tt := range tests {
		got, ok := fsplQ32(tt.d, tt.f)
		if !ok {
			t.Fatalf("fspl(%d, %d): no bound", tt.d, tt.f)
		}
		want := 20 * math.Log10(4*math.Pi*float64(tt.d)*float64(tt.f)/2.998e8)
		if g := float64(got) / (1 << 32); math.Abs(g-want) > 1e-6 {
			t.Errorf("fspl(%d m, %d Hz): got %.9f dB, want %.9f dB", tt.d, tt.f, g, want)
		}
	}
	if _, ok := fsplQ32(0, 868_100_000); ok {
		t.Error("fspl at 0 m: got a bound, want none")
	}
}

func TestRSSIBound(t *testing.T) {
	// 1 km at 868.1 MHz: FSPL = 91.21 dB; 27 dBm + 1.2 dBi (truncated to 1)
	// + 0 dBi → bound -63.21 dBm.
	tests := []struct {
		name   string
		signal int32
		want   bool
	}{
		{"well below", -1200, true},
		{"just below the bound", -633, true},
		{"just above the bound", -632, false},
		{"far above", -100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rssiPlausible(tt.signal, 868_100_000, 27, 12, 9, 1000); got != tt.want {
				t.Errorf("signal %d: got %v, want %v", tt.signal, got, tt.want)
			}
		})
	}
}

// TestLogCacheMatches requires the cached logarithms and free-space bound to
// equal the computed ones, over arguments that repeat (hits), collide in a
// slot (evictions) and are new.
func TestLogCacheMatches(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var c logCache
		seen := []uint64{1}
		for range rapid.IntRange(1, 300).Draw(t, "calls") {
			var x uint64
			switch rapid.IntRange(0, 2).Draw(t, "kind") {
			case 0:
				x = seen[rapid.IntRange(0, len(seen)-1).Draw(t, "again")]
			case 1:
				x = rapid.Uint64Range(1, 5000).Draw(t, "small")
			default:
				x = rapid.Uint64Range(1, math.MaxUint64).Draw(t, "any")
			}
			seen = append(seen, x)
			if got, want := c.log10(x), log10Q32(x); got != want {
				t.Fatalf("log10(%d): cached %d, computed %d", x, got, want)
			}
			sig := rapid.Int32Range(-2000, 500).Draw(t, "signal")
			tx := rapid.Int32Range(-10, 40).Draw(t, "tx")
			bg := rapid.Int32Range(-100, 200).Draw(t, "beaconer gain")
			wg := rapid.Int32Range(-100, 200).Draw(t, "witness gain")
			d := rapid.Uint64Range(0, 200_000).Draw(t, "distance")
			f := []uint64{0, 868_100_000, 867_300_000, x}[rapid.IntRange(0, 3).Draw(t, "freq")]
			if got, want := c.rssiPlausible(sig, f, tx, bg, wg, d), rssiPlausible(sig, f, tx, bg, wg, d); got != want {
				t.Fatalf("rssiPlausible(%d, %d, %d, %d, %d, %d): cached %v, computed %v", sig, f, tx, bg, wg, d, got, want)
			}
		}
	})
}
