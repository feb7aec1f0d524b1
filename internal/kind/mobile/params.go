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
	// SpeedtestToleranceBps is how far above the declared backhaul a
	// speedtest may be before it is implausible.
	SpeedtestToleranceBps uint64
	// TierDownMbps, TierUpMbps and TierLatencyMs are the thresholds of
	// the speedtest tiers, in the order of TierNames (best first).
	TierDownMbps  [4]uint64
	TierUpMbps    [4]uint64
	TierLatencyMs [4]uint64
	// Peer check: a radio whose window averages exceed the median of the
	// rated radios in the H3 disk (PeerRing) of its PeerRes cell by more
	// than PeerFactorBps is refused (speedtest_peer_outlier).
	PeerRes       uint64
	PeerRing      uint64
	MinPeers      uint64
	PeerFactorBps uint64
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
		// speedtest.rs: good, acceptable, degraded, poor.
		SpeedtestToleranceBps: 1_000,
		TierDownMbps:          [4]uint64{100, 75, 50, 30},
		TierUpMbps:            [4]uint64{10, 8, 5, 2},
		TierLatencyMs:         [4]uint64{50, 60, 75, 100},
		PeerRes:               8,
		PeerRing:              1,
		MinPeers:              3,
		PeerFactorBps:         30_000,
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
	out := []spec{
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
		s("speedtest_tolerance_bps", d.SpeedtestToleranceBps, 0, 10_000, "bps", "a speedtest above the declared backhaul by more than this share is implausible", func(p *Params) *uint64 { return &p.SpeedtestToleranceBps }),
	}
	out = append(out,
		s("peer_res", d.PeerRes, 4, 12, "H3 res", "resolution of the cells whose disks hold a radio's peers", func(p *Params) *uint64 { return &p.PeerRes }),
		s("peer_ring", d.PeerRing, 0, 3, "rings", "k of the H3 disk of peer cells", func(p *Params) *uint64 { return &p.PeerRing }),
		s("min_peers", d.MinPeers, 1, 1000, "radios", "rated radios in the disk (the radio excluded) needed to judge a radio against its peers", func(p *Params) *uint64 { return &p.MinPeers }),
		s("peer_factor_bps", d.PeerFactorBps, 10_000, 1_000_000, "bps", "a radio whose average download or upload exceeds its peers' median by more than this factor is refused", func(p *Params) *uint64 { return &p.PeerFactorBps }))
	for i, name := range TierNames {
		out = append(out,
			s("tier_"+name+"_down_mbps", d.TierDownMbps[i], 0, 100_000, "Mbit/s", "download a speedtest average needs for the "+name+" tier", func(p *Params) *uint64 { return &p.TierDownMbps[i] }),
			s("tier_"+name+"_up_mbps", d.TierUpMbps[i], 0, 100_000, "Mbit/s", "upload a speedtest average needs for the "+name+" tier", func(p *Params) *uint64 { return &p.TierUpMbps[i] }),
			s("tier_"+name+"_latency_ms", d.TierLatencyMs[i], 1, 10_000, "ms", "latency a speedtest average must be below for the "+name+" tier", func(p *Params) *uint64 { return &p.TierLatencyMs[i] }))
	}
	return out
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
	// Tiers are ordered: a better tier asks at least the download and
	// upload and at most the latency of the next.
	for i := 1; i < len(TierNames); i++ {
		a, b := TierNames[i-1], TierNames[i]
		switch {
		case p.TierDownMbps[i-1] < p.TierDownMbps[i]:
			return fmt.Errorf("mobile: params: tier_%s_down_mbps %d below tier_%s_down_mbps %d: %w", a, p.TierDownMbps[i-1], b, p.TierDownMbps[i], kind.ErrInvalid)
		case p.TierUpMbps[i-1] < p.TierUpMbps[i]:
			return fmt.Errorf("mobile: params: tier_%s_up_mbps %d below tier_%s_up_mbps %d: %w", a, p.TierUpMbps[i-1], b, p.TierUpMbps[i], kind.ErrInvalid)
		case p.TierLatencyMs[i-1] > p.TierLatencyMs[i]:
			return fmt.Errorf("mobile: params: tier_%s_latency_ms %d above tier_%s_latency_ms %d: %w", a, p.TierLatencyMs[i-1], b, p.TierLatencyMs[i], kind.ErrInvalid)
		}
	}
	return nil
}
