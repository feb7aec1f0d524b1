package mobile

import (
	"fmt"
	"time"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/params"
)

// Params are the scorer's tunable numbers.
type Params struct {
	SlotNs            uint64 // heartbeat slot (Helium: an hour)
	MinHeartbeats     uint64 // distinct slots with a heartbeat needed
	MaxClockDriftNs   uint64
	SpeedtestWindow   uint64 // newest speedtests averaged
	MinSpeedtests     uint64 // fewer in the window: multiplier 0
	MaxSpeedtestAgeNs uint64 // older tests leave the window
	TrustFullM        uint64 // heartbeat within: trust 1.0
	TrustReducedM     uint64 // within: trust TrustReducedBps
	TrustReducedBps   uint64
	PointsIndoor      uint64 // base points of an indoor Wi-Fi radio
	PointsOutdoor     uint64 // base points of an outdoor Wi-Fi radio
}

// DefaultParams are Helium Mobile's values (oracles@2f549350
// mobile_verifier heartbeats, coverage_point_calculator speedtest.rs and
// location.rs; HIP-119; HRP-20250909 outdoor points).
func DefaultParams() Params {
	return Params{
		SlotNs:            uint64(time.Hour),
		MinHeartbeats:     12, // MINIMUM_HEARTBEAT_COUNT
		MaxClockDriftNs:   uint64(5 * time.Minute),
		SpeedtestWindow:   6,
		MinSpeedtests:     2,
		MaxSpeedtestAgeNs: uint64(48 * time.Hour),
		TrustFullM:        300,
		TrustReducedM:     400,
		TrustReducedBps:   2500,
		PointsIndoor:      400,
		PointsOutdoor:     120,
	}
}

type spec struct {
	params.Spec
	field func(*Params) *uint64
}

func specs() []spec {
	d := DefaultParams()
	s := func(name string, def, lo, hi uint64, unit, doc string, f func(*Params) *uint64) spec {
		return spec{params.Spec{Name: Name + "." + name, Default: def, Min: lo, Max: hi, Unit: unit, Doc: doc}, f}
	}
	return []spec{
		s("slot_ns", d.SlotNs, uint64(time.Second), uint64(24*time.Hour), "ns", "heartbeats count once per slot of this length, by their device timestamp (checked against max_clock_drift_ns)", func(p *Params) *uint64 { return &p.SlotNs }),
		s("min_heartbeats", d.MinHeartbeats, 1, 1000, "slots", "distinct slots with an operational heartbeat a radio needs in an epoch", func(p *Params) *uint64 { return &p.MinHeartbeats }),
		s("max_clock_drift_ns", d.MaxClockDriftNs, uint64(time.Second), uint64(24*time.Hour), "ns", "largest gap between a report's device timestamp and its receive time", func(p *Params) *uint64 { return &p.MaxClockDriftNs }),
		s("speedtest_window", d.SpeedtestWindow, 1, 64, "tests", "newest speedtests averaged (kept across epochs)", func(p *Params) *uint64 { return &p.SpeedtestWindow }),
		s("min_speedtests", d.MinSpeedtests, 1, 64, "tests", "speedtests needed in the window, else multiplier 0", func(p *Params) *uint64 { return &p.MinSpeedtests }),
		s("max_speedtest_age_ns", d.MaxSpeedtestAgeNs, uint64(time.Minute), uint64(30*24*time.Hour), "ns", "speedtests older than this at the epoch end leave the window", func(p *Params) *uint64 { return &p.MaxSpeedtestAgeNs }),
		s("trust_full_m", d.TrustFullM, 1, 100_000, "m", "heartbeats within this distance of the asserted cell have trust 1.0", func(p *Params) *uint64 { return &p.TrustFullM }),
		s("trust_reduced_m", d.TrustReducedM, 1, 100_000, "m", "heartbeats within this distance have trust_reduced_bps; further, 0", func(p *Params) *uint64 { return &p.TrustReducedM }),
		s("trust_reduced_bps", d.TrustReducedBps, 0, 10_000, "bps", "trust of a heartbeat between trust_full_m and trust_reduced_m", func(p *Params) *uint64 { return &p.TrustReducedBps }),
		s("points_indoor", d.PointsIndoor, 0, 100_000, "points", "base points of an indoor Wi-Fi radio", func(p *Params) *uint64 { return &p.PointsIndoor }),
		s("points_outdoor", d.PointsOutdoor, 0, 100_000, "points", "base points of an outdoor Wi-Fi radio", func(p *Params) *uint64 { return &p.PointsOutdoor }),
	}
}

// Specs lists the kind's chain parameters in a fixed order.
func Specs() []params.Spec {
	ss := specs()
	out := make([]params.Spec, len(ss))
	for i, s := range ss {
		out[i] = s.Spec
	}
	return out
}

// ParamsFrom reads the scorer's params from kind params.
func ParamsFrom(p kind.Params) (Params, error) {
	var out Params
	for _, s := range specs() {
		v, ok := p.Get(s.Name)
		if !ok {
			return out, fmt.Errorf("mobile: params: %s missing: %w", s.Name, kind.ErrInvalid)
		}
		*s.field(&out) = v
	}
	return out, nil
}

// KindParams returns p as kind params in the order of Specs.
func (p Params) KindParams() kind.Params {
	ss := specs()
	out := make(kind.Params, len(ss))
	for i, s := range ss {
		out[i] = kind.Param{Name: s.Name, Value: *s.field(&p)}
	}
	return out
}

// Check applies the rules between params.
func (p Params) Check() error {
	switch {
	case p.MinSpeedtests > p.SpeedtestWindow:
		return fmt.Errorf("mobile: params: min_speedtests %d above speedtest_window %d: %w", p.MinSpeedtests, p.SpeedtestWindow, kind.ErrInvalid)
	case p.TrustFullM > p.TrustReducedM:
		return fmt.Errorf("mobile: params: trust_full_m %d above trust_reduced_m %d: %w", p.TrustFullM, p.TrustReducedM, kind.ErrInvalid)
	}
	return nil
}
