package mobile

import (
	"errors"
	"testing"

	"github.com/depin-network/depin/internal/kind"
)

func TestLocationTrust(t *testing.T) {
	p := DefaultParams()
	for _, c := range []struct {
		d    uint64
		want uint64
		r    Reason
	}{{0, 10_000, Valid}, {300, 10_000, Valid}, {301, 2500, LocationReduced}, {400, 2500, LocationReduced}, {401, 0, LocationUntrusted}} {
		if got, r := LocationTrust(c.d, &p); got != c.want || r != c.r {
			t.Errorf("%d m: got %d %s, want %d %s", c.d, got, r, c.want, c.r)
		}
	}
}

func TestMultiplier(t *testing.T) {
	const M = 1_000_000
	p := DefaultParams()
	for _, c := range []struct {
		down, up, lat uint64
		want          uint64
	}{
		{100 * M, 10 * M, 49, 10_000},
		{100 * M, 10 * M, 50, 7_500},
		{99 * M, 10 * M, 10, 7_500},
		{100 * M, 5 * M, 10, 5_000},
		{30 * M, 2 * M, 99, 2_500},
		{29 * M, 10 * M, 10, 0},
		{500 * M, 50 * M, 100, 0},
	} {
		if got, _ := Multiplier(c.down, c.up, c.lat, &p); got != c.want {
			t.Errorf("%d/%d/%d: got %d, want %d", c.down, c.up, c.lat, got, c.want)
		}
	}
}

func TestCheckSpeedtest(t *testing.T) {
	p := DefaultParams()
	ok := SpeedtestBody{DownloadBps: 200e6, UploadBps: 20e6, LatencyMs: 20}
	for _, c := range []struct {
		name    string
		s       SpeedtestBody
		prev    SpeedtestBody
		hasPrev bool
		want    Reason
	}{
		{"ok", ok, SpeedtestBody{}, false, Valid},
		{"at backhaul + 10%", SpeedtestBody{DownloadBps: 550e6, UploadBps: 1, LatencyMs: 1}, ok, true, Valid},
		{"above backhaul", SpeedtestBody{DownloadBps: 550e6 + 1, UploadBps: 1, LatencyMs: 1}, ok, true, Implausible},
		{"zero latency", SpeedtestBody{DownloadBps: 1, UploadBps: 1}, ok, true, Implausible},
		{"repeat", ok, ok, true, Repeated},
	} {
		if got := CheckSpeedtest(c.s, 500, c.prev, c.hasPrev, &p); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

// TestSpeedtestParams: the tolerance and the tier thresholds come from
// the params.
func TestSpeedtestParams(t *testing.T) {
	const M = 1_000_000
	p := DefaultParams()
	p.SpeedtestToleranceBps = 0
	at := SpeedtestBody{DownloadBps: 500 * M, UploadBps: 1, LatencyMs: 1}
	above := SpeedtestBody{DownloadBps: 500*M + 1, UploadBps: 1, LatencyMs: 1}
	if CheckSpeedtest(at, 500, SpeedtestBody{}, false, &p) != Valid || CheckSpeedtest(above, 500, SpeedtestBody{}, false, &p) != Implausible {
		t.Error("tolerance 0: the backhaul itself is the limit")
	}
	p.SpeedtestToleranceBps = 5_000
	if CheckSpeedtest(SpeedtestBody{DownloadBps: 750 * M, UploadBps: 1, LatencyMs: 1}, 500, SpeedtestBody{}, false, &p) != Valid ||
		CheckSpeedtest(SpeedtestBody{DownloadBps: 750*M + 1, UploadBps: 1, LatencyMs: 1}, 500, SpeedtestBody{}, false, &p) != Implausible {
		t.Error("tolerance 50 %")
	}
	if backhaulLimitBps(^uint64(0)/2, 10_000) != ^uint64(0) {
		t.Error("the limit does not saturate")
	}
	p = DefaultParams()
	p.TierDownMbps[0] = 200 // good now needs 200 Mbit/s
	if got, name := Multiplier(150*M, 10*M, 10, &p); got != 7_500 || name != "acceptable" {
		t.Errorf("raised good tier: got %d %s", got, name)
	}
	p.TierLatencyMs[3] = 200
	if got, _ := Multiplier(30*M, 2*M, 150, &p); got != 2_500 {
		t.Errorf("raised poor latency: got %d", got)
	}
}

// TestTierOrder: Check refuses tiers out of order.
func TestTierOrder(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(p *Params)
	}{
		{"down", func(p *Params) { p.TierDownMbps[2] = p.TierDownMbps[1] + 1 }},
		{"up", func(p *Params) { p.TierUpMbps[3] = p.TierUpMbps[2] + 1 }},
		{"latency", func(p *Params) { p.TierLatencyMs[0] = p.TierLatencyMs[1] + 1 }},
	} {
		p := DefaultParams()
		if err := p.Check(); err != nil {
			t.Fatal(err)
		}
		c.set(&p)
		if err := p.Check(); !errors.Is(err, kind.ErrInvalid) {
			t.Errorf("%s out of order: %v", c.name, err)
		}
	}
	p := DefaultParams()
	p.TierDownMbps[1] = p.TierDownMbps[0] // equal is allowed
	if err := p.Check(); err != nil {
		t.Errorf("equal tiers: %v", err)
	}
}

func TestCheckWindowDrift(t *testing.T) {
	if CheckWindow(9, 10, 20) != OutsideEpoch || CheckWindow(10, 10, 20) != Valid || CheckWindow(20, 10, 20) != OutsideEpoch {
		t.Error("window")
	}
	if CheckClockDrift(0, 301, 300) != ClockDrift || CheckClockDrift(0, 300, 300) != Valid {
		t.Error("drift")
	}
}

func TestAttributesAndBodies(t *testing.T) {
	k := Kind{}
	if err := k.CheckAttributes(nil, EncodeAttributes("W6", RadioIndoor, 100)); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string][]byte{
		"garbage":  {0xff},
		"no model": EncodeAttributes("", RadioIndoor, 100),
		"radio":    EncodeAttributes("W6", "cbrs", 100),
		"backhaul": EncodeAttributes("W6", RadioOutdoor, 0),
		"too fast": EncodeAttributes("W6", RadioOutdoor, MaxBackhaulMbps+1),
	} {
		if err := k.CheckAttributes(nil, a); !errors.Is(err, kind.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := k.CheckReport(TypeHeartbeat, EncodeHeartbeat(HeartbeatBody{LatE7: 91e7}), nil); !errors.Is(err, kind.ErrInvalid) {
		t.Errorf("bad latitude: %v", err)
	}
	if err := k.CheckReport(TypeSpeedtest, EncodeSpeedtest(SpeedtestBody{DownloadBps: 1 << 51}), nil); !errors.Is(err, kind.ErrInvalid) {
		t.Errorf("huge speedtest: %v", err)
	}
	if err := k.CheckReport("beacon", nil, nil); !errors.Is(err, kind.ErrInvalid) {
		t.Errorf("unknown type: %v", err)
	}
	if err := kind.Validate(k, kind.Defaults(k.Specs())); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.MinSpeedtests = p.SpeedtestWindow + 1
	if err := k.CheckParams(p.KindParams()); !errors.Is(err, kind.ErrInvalid) {
		t.Errorf("min above window: %v", err)
	}
}
