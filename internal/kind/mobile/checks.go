package mobile

import (
	"math/bits"
	"slices"

	"github.com/depin-network/depin/internal/kind/sensor"
)

// Reason is the verdict on a report or a radio.
type Reason uint8

// Report reasons, then radio reasons.
const (
	Valid Reason = iota
	UnknownDevice
	Denied
	BadAttributes
	Unasserted
	OutsideEpoch
	ClockDrift
	NotOperational
	LocationReduced
	LocationUntrusted
	Implausible
	Repeated
	InsufficientHeartbeats
	InsufficientSpeedtests
	SpeedtestFail
	NoLocationTrust
	PeerOutlier
	numReasons
)

// ReasonInfo documents a reason.
type ReasonInfo struct {
	Name   string
	Radio  bool // a radio-level reason
	Doc    string
	Params []string
}

// Reasons is the reason table, by Reason.
var Reasons = [numReasons]ReasonInfo{
	Valid:                  {"valid", false, "the report passed every check", nil},
	UnknownDevice:          {"unknown_device", false, "the device is not a registered mobile radio", nil},
	Denied:                 {"denied", false, "the radio is on the denylist", nil},
	BadAttributes:          {"bad_attributes", false, "the radio's attributes do not decode", nil},
	Unasserted:             {"unasserted", false, "the radio has no asserted location", nil},
	OutsideEpoch:           {"outside_epoch", false, "received outside the epoch", nil},
	ClockDrift:             {"clock_drift", false, "the device timestamp is too far from the receive time", []string{"max_clock_drift_ns"}},
	NotOperational:         {"not_operational", false, "a heartbeat of a radio not serving users (counts for nothing)", nil},
	LocationReduced:        {"location_reduced", false, "a heartbeat between trust_full_m and trust_reduced_m of the asserted cell: it counts with reduced trust", []string{"trust_full_m", "trust_reduced_m", "trust_reduced_bps"}},
	LocationUntrusted:      {"location_untrusted", false, "a heartbeat further than trust_reduced_m: it counts with trust 0", []string{"trust_reduced_m"}},
	Implausible:            {"implausible", false, "a speedtest faster than the declared backhaul, or with 0 ms latency", nil},
	Repeated:               {"repeated", false, "a speedtest repeating the radio's previous one exactly (a faked test)", nil},
	InsufficientHeartbeats: {"insufficient_heartbeats", true, "fewer slots with an operational heartbeat than min_heartbeats", []string{"min_heartbeats", "slot_ns"}},
	InsufficientSpeedtests: {"insufficient_speedtests", true, "fewer speedtests in the rolling window than min_speedtests", []string{"min_speedtests", "speedtest_window", "max_speedtest_age_ns"}},
	SpeedtestFail:          {"speedtest_fail", true, "the window's averages fall below the Poor tier", []string{"speedtest_window"}},
	NoLocationTrust:        {"no_location_trust", true, "the mean location trust of the radio's heartbeats is 0", []string{"trust_reduced_m"}},
	PeerOutlier:            {"speedtest_peer_outlier", true, "the window's average download or upload exceeds the median of the rated radios in its H3 disk by more than peer_factor_bps", []string{"peer_res", "peer_ring", "min_peers", "peer_factor_bps"}},
}

// String returns the reason's name.
func (r Reason) String() string {
	if r < numReasons {
		return Reasons[r].Name
	}
	return "unknown"
}

// CheckWindow: received inside [start, end).
func CheckWindow(received, start, end int64) Reason {
	if received < start || received >= end {
		return OutsideEpoch
	}
	return Valid
}

// CheckClockDrift: the device clock within maxDrift of the receive time.
func CheckClockDrift(deviceTime, received int64, maxDrift uint64) Reason {
	d := deviceTime - received
	if d < 0 {
		d = -d
	}
	if d < 0 || uint64(d) > maxDrift {
		return ClockDrift
	}
	return Valid
}

// LocationTrust returns a heartbeat's trust in basis points by its
// distance from the asserted cell centre (HIP-119), with its reason.
func LocationTrust(distM uint64, p *Params) (uint64, Reason) {
	switch {
	case distM <= p.TrustFullM:
		return 10_000, Valid
	case distM <= p.TrustReducedM:
		return p.TrustReducedBps, LocationReduced
	}
	return 0, LocationUntrusted
}

// HeartbeatTrust measures a heartbeat's position against the asserted
// cell centre.
func HeartbeatTrust(h HeartbeatBody, cellLatE7, cellLngE7 int64, p *Params) (uint64, Reason, uint64) {
	d := sensor.DistanceM(cellLatE7, cellLngE7, h.LatE7, h.LngE7)
	t, r := LocationTrust(d, p)
	return t, r, d
}

// CheckSpeedtest refuses a speedtest faster than the declared backhaul
// (by more than mobile.speedtest_tolerance_bps) or with no latency, and one
// equal to the radio's previous speedtest.
func CheckSpeedtest(s SpeedtestBody, backhaulMbps uint64, prev SpeedtestBody, hasPrev bool, p *Params) Reason {
	limit := backhaulLimitBps(backhaulMbps, p.SpeedtestToleranceBps)
	if s.LatencyMs == 0 || s.DownloadBps > limit || s.UploadBps > limit {
		return Implausible
	}
	if hasPrev && s == prev {
		return Repeated
	}
	return Valid
}

// Tier is a speedtest tier (Helium speedtest.rs).
type Tier struct {
	Name          string
	MinDownMbps   uint64
	MinUpMbps     uint64
	MaxLatencyMs  uint64 // latency must be below this
	MultiplierBps uint64
}

// backhaulLimitBps is backhaulMbps × 10⁶ × (1 + toleranceBps/10⁴) bit/s,
// rounded down, saturating at the largest uint64.
func backhaulLimitBps(backhaulMbps, toleranceBps uint64) uint64 {
	hi, lo := bits.Mul64(backhaulMbps, 100*(10_000+toleranceBps)) // Mbps × 10⁶ / 10⁴
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}

// TierNames name the speedtest tiers, best first; below the last is Fail
// (0). Their thresholds are params (mobile.tier_<name>_*).
var TierNames = [4]string{"good", "acceptable", "degraded", "poor"}

// TierMultipliersBps are the tiers' multipliers (Helium speedtest.rs).
var TierMultipliersBps = [4]uint64{10_000, 7_500, 5_000, 2_500}

// Tiers returns the speedtest tiers under p, best first.
func (p *Params) Tiers() []Tier {
	out := make([]Tier, len(TierNames))
	for i, n := range TierNames {
		out[i] = Tier{n, p.TierDownMbps[i], p.TierUpMbps[i], p.TierLatencyMs[i], TierMultipliersBps[i]}
	}
	return out
}

// Multiplier returns the speedtest multiplier in basis points of average
// download and upload (bit/s) and latency (ms) under p's tiers: the tier is the lowest of
// the three metrics' tiers.
func Multiplier(downBps, upBps, latencyMs uint64, p *Params) (uint64, string) {
	Tiers := p.Tiers()
	tier := func(ok func(t Tier) bool) int {
		for i, t := range Tiers {
			if ok(t) {
				return i
			}
		}
		return len(Tiers)
	}
	d := tier(func(t Tier) bool { return downBps >= t.MinDownMbps*1_000_000 })
	u := tier(func(t Tier) bool { return upBps >= t.MinUpMbps*1_000_000 })
	l := tier(func(t Tier) bool { return latencyMs < t.MaxLatencyMs })
	w := max(d, u, l)
	if w == len(Tiers) {
		return 0, "fail"
	}
	return Tiers[w].MultiplierBps, Tiers[w].Name
}

// PeerMedian is the lower median of vs (sorted in place), 0 if empty.
func PeerMedian(vs []uint64) uint64 {
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	return vs[(len(vs)-1)/2]
}

// ExceedsPeers reports whether v × 10⁴ > median × factorBps (128-bit).
func ExceedsPeers(v, median, factorBps uint64) bool {
	ah, al := bits.Mul64(v, 10_000)
	bh, bl := bits.Mul64(median, factorBps)
	return ah > bh || (ah == bh && al > bl)
}
