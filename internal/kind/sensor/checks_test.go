package sensor

import (
	"errors"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/kind"
)

const hr = int64(time.Hour)

func TestCheckWindow(t *testing.T) {
	for _, c := range []struct {
		recv int64
		want Reason
	}{{99, OutsideEpoch}, {100, Valid}, {199, Valid}, {200, OutsideEpoch}} {
		if got := CheckWindow(c.recv, 100, 200); got != c.want {
			t.Errorf("received %d: got %s, want %s", c.recv, got, c.want)
		}
	}
}

func TestCheckClockDrift(t *testing.T) {
	for _, c := range []struct {
		dev, recv int64
		want      Reason
	}{{1000, 1000, Valid}, {700, 1000, Valid}, {699, 1000, ClockDrift}, {1300, 1000, Valid}, {1301, 1000, ClockDrift}, {-1 << 63, 0, ClockDrift}} {
		if got := CheckClockDrift(c.dev, c.recv, 300); got != c.want {
			t.Errorf("device %d received %d: got %s, want %s", c.dev, c.recv, got, c.want)
		}
	}
}

func TestCheckDuplicate(t *testing.T) {
	if CheckDuplicate(5, true, 5) != Duplicate || CheckDuplicate(5, true, 6) != Valid || CheckDuplicate(5, false, 5) != Valid {
		t.Error("duplicate check")
	}
}

func TestCheckDeclared(t *testing.T) {
	decl := uint16(1<<ChTemperature | 1<<ChHumidity)
	for _, c := range []struct {
		mask uint16
		want Reason
		ch   int
	}{{1 << ChTemperature, Valid, -1}, {decl, Valid, -1}, {decl | 1<<ChPM25, UndeclaredChannel, ChPM25}, {1 << ChOdometer, UndeclaredChannel, ChOdometer}} {
		got, ch := CheckDeclared(c.mask, decl)
		if got != c.want || ch != c.ch {
			t.Errorf("mask %b: got %s %d, want %s %d", c.mask, got, ch, c.want, c.ch)
		}
	}
}

func TestCheckStationFix(t *testing.T) {
	for _, c := range []struct {
		name string
		f    Fix
		want Reason
	}{
		{"no fix", Fix{}, Valid},
		{"at the cell", Fix{Has: true, LatE7: cityLat, LngE7: cityLng, Satellites: 9}, Valid},
		{"450 m north", Fix{Has: true, LatE7: cityLat + 40_470, LngE7: cityLng, Satellites: 9}, Valid},
		{"600 m north", Fix{Has: true, LatE7: cityLat + 53_960, LngE7: cityLng, Satellites: 9}, LocationMismatch},
		{"far but 3 satellites", Fix{Has: true, LatE7: cityLat + 5e6, LngE7: cityLng, Satellites: 3}, Valid},
	} {
		if got, d := CheckStationFix(c.f, cityLat, cityLng, 500, 4); got != c.want {
			t.Errorf("%s: got %s (%d m), want %s", c.name, got, d, c.want)
		}
	}
}

func TestCheckTrack(t *testing.T) {
	prev := Fix{Has: true, LatE7: cityLat, LngE7: cityLng, Satellites: 8}
	min := int64(time.Minute)
	for _, c := range []struct {
		name string
		f    Fix
		dt   int64
		want Reason
	}{
		{"first fix", prev, 0, Valid},
		{"1 km in a minute (60 km/h)", Fix{Has: true, LatE7: cityLat + 89_930, LngE7: cityLng, Satellites: 8}, min, Valid},
		{"10 km in a minute (600 km/h)", Fix{Has: true, LatE7: cityLat + 899_300, LngE7: cityLng, Satellites: 8}, min, GNSSJump},
		{"jitter in no time", Fix{Has: true, LatE7: cityLat + 300, LngE7: cityLng, Satellites: 8}, 0, Valid},
		{"weak fix", Fix{Has: true, LatE7: cityLat + 899_300, LngE7: cityLng, Satellites: 2}, min, Valid},
	} {
		p := prev
		if c.name == "first fix" {
			p = Fix{}
		}
		if got, v := CheckTrack(p, 0, c.f, c.dt, 300, 4); got != c.want {
			t.Errorf("%s: got %s (%d km/h), want %s", c.name, got, v, c.want)
		}
	}
}

func TestCheckRange(t *testing.T) {
	for _, c := range []struct {
		ch   int
		v    int64
		want Reason
	}{{ChTemperature, -6000, Valid}, {ChTemperature, -6001, OutOfRange}, {ChTemperature, 6500, Valid}, {ChTemperature, 6501, OutOfRange},
		{ChHumidity, 10001, OutOfRange}, {ChPressure, 29999, OutOfRange}, {ChWindDirection, 360, OutOfRange}, {ChSpeed, -1, OutOfRange}, {ChCharge, 10000, Valid}} {
		if got := CheckRange(c.ch, c.v); got != c.want {
			t.Errorf("%s %d: got %s, want %s", Channels[c.ch].Name, c.v, got, c.want)
		}
	}
}

func TestCheckRate(t *testing.T) {
	for _, c := range []struct {
		name          string
		ch            int
		prev, v, dtNs int64
		want          Reason
	}{
		{"temperature +3 C at once (floor)", ChTemperature, 1000, 1300, 0, Valid},
		{"temperature +3.01 C in 5 min", ChTemperature, 1000, 1301, 5 * int64(time.Minute), RateOfChange},
		{"temperature +15 C in an hour", ChTemperature, 1000, 2500, hr, Valid},
		{"temperature +20 C in an hour", ChTemperature, 1000, 3000, hr, RateOfChange},
		{"temperature -20 C in two hours", ChTemperature, 3000, 1000, 2 * hr, Valid},
		{"odometer back 1 m", ChOdometer, 5000, 4999, hr, RateOfChange},
		{"odometer +100 km in an hour", ChOdometer, 0, 100_000, hr, Valid},
		{"odometer +400 km in an hour", ChOdometer, 0, 400_000, hr, RateOfChange},
		{"wind not rate checked", ChWindSpeed, 0, 8000, 0, Valid},
	} {
		if got := CheckRate(c.ch, c.prev, c.v, c.dtNs); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestCheckStuck(t *testing.T) {
	var s StuckRun
	steps := []struct {
		v, t int64
		want Reason
	}{{5, 0, Valid}, {5, hr / 2, Valid}, {5, hr - 1, Valid}, {5, hr, Stuck}, {5, 2 * hr, Stuck}, {6, 2*hr + 1, Valid}, {6, 3 * hr, Valid}}
	for _, c := range steps {
		if got := s.CheckStuck(c.v, c.t, uint64(hr)); got != c.want {
			t.Errorf("value %d at %d: got %s, want %s", c.v, c.t, got, c.want)
		}
	}
}

func TestQoD(t *testing.T) {
	for _, c := range []struct{ valid, exp, want uint64 }{{0, 288, 0}, {288, 288, 100}, {300, 288, 100}, {230, 288, 79}, {231, 288, 80}, {5, 0, 0}} {
		if got := QoD(c.valid, c.exp); got != c.want {
			t.Errorf("QoD(%d, %d) = %d, want %d", c.valid, c.exp, got, c.want)
		}
	}
}

func TestMedianMAD(t *testing.T) {
	for _, c := range []struct {
		xs       []int64
		med, mad int64
	}{{nil, 0, 0}, {[]int64{3}, 3, 0}, {[]int64{1, 2, 3, 4}, 2, 1}, {[]int64{-3, -2}, -3, 0}, {[]int64{10, 11, 12, 13, 900}, 12, 1}, {[]int64{1, 1, 2, 2, 4, 6, 9}, 2, 1}} {
		xs := append([]int64(nil), c.xs...)
		med := Median(xs)
		mad, _ := MAD(xs, med, nil)
		if med != c.med || mad != c.mad {
			t.Errorf("%v: median %d MAD %d, want %d %d", c.xs, med, mad, c.med, c.mad)
		}
	}
}

func TestOutlierAndDisagrees(t *testing.T) {
	// MAD 100 -> sigma 148 -> 4 sigma 593; floor 300.
	for _, c := range []struct {
		x, med, mad int64
		want        bool
	}{{1500, 1000, 100, false}, {1594, 1000, 100, true}, {1290, 1000, 0, false}, {1301, 1000, 0, true}, {700, 1000, 0, false}, {699, 1000, 0, true}} {
		if got := Outlier(c.x, c.med, c.mad, 300, 400); got != c.want {
			t.Errorf("Outlier(%d, %d, %d) = %v, want %v", c.x, c.med, c.mad, got, c.want)
		}
	}
	if Disagrees(3, 10, 3000) || !Disagrees(4, 10, 3000) || Disagrees(0, 0, 0) {
		t.Error("Disagrees")
	}
}

func TestSketch(t *testing.T) {
	var a, b Sketch
	for i := range uint64(100) {
		a.Add(mix(i), int64(i))
		a.Add(mix(i), int64(i)+5) // repeats keep the earliest time
		if i%2 == 0 {
			b.Add(mix(i), int64(i)+1)
		}
	}
	if !a.Full() || !b.Full() {
		t.Fatal("sketches of 100 and 50 values not full")
	}
	for j := 1; j < SketchSize; j++ {
		if a.Hash[j-1] >= a.Hash[j] {
			t.Fatal("sketch not ascending")
		}
	}
	n := Shared(a.Hash[:], b.Hash[:])
	if n == 0 || n == SketchSize {
		t.Errorf("half-overlapping streams share %d of %d", n, SketchSize)
	}
	if Shared(a.Hash[:], a.Hash[:]) != SketchSize || !Overlapping(SketchSize/2, 5000) || Overlapping(SketchSize/2-1, 5000) {
		t.Error("Shared/Overlapping")
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		lat1, lng1, lat2, lng2 int64
		want                   uint64
	}{
		{cityLat, cityLng, cityLat, cityLng, 0},
		{cityLat, cityLng, cityLat + 1e7/100, cityLng, 1112}, // 0.01 deg lat
		{cityLat, cityLng, cityLat, cityLng + 1e7/100, 677},  // 0.01 deg lng at 52.5 N: 1112 x cos(52.52)
		{0, 1799999999, 0, -1799999999, 0},                   // across the antimeridian
		{-900000000, 0, -900000000 + 1e5, 0, 1112},           // near the pole
	} {
		got := DistanceM(c.lat1, c.lng1, c.lat2, c.lng2)
		if got+2 < c.want || got > c.want+2 {
			t.Errorf("distance %v: got %d m, want %d", c, got, c.want)
		}
	}
}

func TestAttributes(t *testing.T) {
	vin := make([]byte, 32)
	ok := [][]byte{
		EncodeAttributes("WS2000", ClassStation, []string{"temperature", "humidity"}, nil),
		EncodeAttributes("OBD-II", ClassVehicle, []string{"odometer"}, vin),
	}
	for _, a := range ok {
		if err := (Kind{}).CheckAttributes(nil, a); err != nil {
			t.Errorf("valid attributes refused: %v", err)
		}
	}
	badAttrs := map[string][]byte{
		"garbage":         {0xff, 0xff},
		"no model":        EncodeAttributes("", ClassStation, []string{"temperature"}, nil),
		"long model":      EncodeAttributes("0123456789012345678901234567890123", ClassStation, []string{"temperature"}, nil),
		"no channels":     EncodeAttributes("WS", ClassStation, nil, nil),
		"unknown channel": EncodeAttributes("WS", ClassStation, []string{"radiation"}, nil),
		"vehicle channel": EncodeAttributes("WS", ClassStation, []string{"odometer"}, nil),
		"repeated":        EncodeAttributes("WS", ClassStation, []string{"rain", "rain"}, nil),
		"vehicle no id":   EncodeAttributes("OBD", ClassVehicle, []string{"speed"}, nil),
		"station with id": EncodeAttributes("WS", ClassStation, []string{"rain"}, vin),
		"bad class":       EncodeAttributes("WS", 0, []string{"rain"}, nil),
	}
	for name, a := range badAttrs {
		if err := (Kind{}).CheckAttributes(nil, a); !errors.Is(err, kind.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

func TestCheckReport(t *testing.T) {
	r := Reading{Mask: 1 << ChTemperature, Values: [NumChannels]int64{ChTemperature: 1234}, Fix: Fix{Has: true, LatE7: cityLat, LngE7: cityLng, Satellites: 7}}
	k := Kind{}
	if err := k.CheckReport(TypeReading, EncodeReading(&r), nil); err != nil {
		t.Fatal(err)
	}
	var back Reading
	if err := DecodeReading(EncodeReading(&r), &back); err != nil || back.Values != r.Values || back.Fix != r.Fix || back.Mask != r.Mask {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	bad := Reading{Fix: Fix{Has: true, LatE7: 91e7}}
	for name, c := range map[string]struct {
		typ  string
		body []byte
	}{
		"no values":  {TypeReading, EncodeReading(&Reading{})},
		"bad fix":    {TypeReading, EncodeReading(&Reading{Mask: 1, Fix: bad.Fix})},
		"garbage":    {TypeReading, []byte{0xff}},
		"unknown":    {"beacon", nil},
		"heartbeat?": {TypeHeartbeat, []byte{0xff}},
	} {
		if err := k.CheckReport(c.typ, c.body, nil); !errors.Is(err, kind.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	if err := k.CheckReport(TypeHeartbeat, nil, nil); err != nil {
		t.Errorf("empty heartbeat: %v", err)
	}
}

func TestParams(t *testing.T) {
	k := Kind{}
	if err := kind.Validate(k, kind.Defaults(k.Specs())); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.CellRes, p.ClusterRes = 9, 8
	if err := k.CheckParams(p.KindParams()); !errors.Is(err, kind.ErrInvalid) {
		t.Errorf("cell finer than cluster: %v", err)
	}
	p = DefaultParams()
	p.SlotNs = p.ReadingIntervalNs - 1
	if err := k.CheckParams(p.KindParams()); !errors.Is(err, kind.ErrInvalid) {
		t.Errorf("slot shorter than interval: %v", err)
	}
	if got, _ := ParamsFrom(DefaultParams().KindParams()); got != DefaultParams() {
		t.Error("params round trip")
	}
}
