package energy

import (
	"math/bits"

	energyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// Reasons a read gets. A read with an accepted reason becomes the device's
// new baseline; the others change nothing.
const (
	// Accepted.
	ReasonValid    = "valid"    // measures its interval
	ReasonBaseline = "baseline" // the device's first read: no interval measured
	ReasonGap      = "gap"      // intervals were missed: a new baseline
	// Rejected.
	ReasonEarly            = "read_early"             // its interval is not over
	ReasonDuplicate        = "duplicate"              // its interval was read already
	ReasonStale            = "interval_backwards"     // an interval before the baseline's
	ReasonCounterBackwards = "counter_backwards"      // a counter went down
	ReasonSocAboveCapacity = "soc_above_capacity"     // battery above its capacity
	ReasonImportAboveRated = "import_above_rated"     // more imported than rated power allows
	ReasonExportAboveRated = "export_above_rated"     // more exported than rated power allows
	ReasonProductionRated  = "production_above_rated" // more produced than rated power allows
	ReasonBatteryRate      = "battery_rate_exceeded"  // charge changed faster than the charge rate
	ReasonExportSources    = "export_exceeds_sources" // export above production + import + discharge
	ReasonAbovePeers       = "production_above_peers" // production per kW far above the zone's median
)

// CheckRejections lists every reason Check refuses a read with (the
// reasons it returns that are not Accepted). The energy market maps each to
// a result code; a test holds the two in step.
func CheckRejections() []string {
	return []string{ReasonEarly, ReasonDuplicate, ReasonStale, ReasonCounterBackwards, ReasonSocAboveCapacity,
		ReasonImportAboveRated, ReasonExportAboveRated, ReasonProductionRated, ReasonBatteryRate, ReasonExportSources}
}

// Accepted reports whether a read with the reason becomes the baseline.
func Accepted(reason string) bool {
	return reason == ReasonValid || reason == ReasonBaseline || reason == ReasonGap
}

// Baseline is a device's last accepted read.
type Baseline struct {
	Interval uint64
	Imported uint64
	Exported uint64
	Produced uint64
	Soc      uint64
}

// BaselineOf returns the counters of a read.
func BaselineOf(r *energyv1.Read) Baseline {
	return Baseline{Interval: r.Interval, Imported: r.ImportedWh, Exported: r.ExportedWh, Produced: r.ProducedWh, Soc: r.SocWh}
}

// Delta is the energy of a valid read's interval.
type Delta struct {
	Imported uint64
	Exported uint64
	Produced uint64
}

// IntervalEnd returns the Unix second interval i ends at, and false on
// overflow.
func IntervalEnd(i, seconds uint64) (uint64, bool) {
	hi, lo := bits.Mul64(i+1, seconds)
	return lo, hi == 0 && i+1 != 0
}

// IntervalOf returns the interval a Unix second falls in.
func IntervalOf(unix int64, seconds uint64) uint64 {
	if unix < 0 {
		return 0
	}
	return uint64(unix) / seconds
}

// whOver returns the Wh a power of w watts gives over n intervals of s
// seconds, saturating instead of overflowing.
func whOver(w, n, s uint64) uint64 {
	hi, lo := bits.Mul64(w, s)
	if hi != 0 {
		return ^uint64(0)
	}
	hi, lo = bits.Mul64(lo, n)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo / 3600
}

// Check judges read r of a device with attributes a, received at Unix
// second now, against its baseline prev (nil before its first accepted
// read). It returns the reason and, for a valid read, its interval's
// energy.
func Check(p Params, a *energyv1.Attributes, prev *Baseline, r *energyv1.Read, now int64) (string, Delta) {
	end, ok := IntervalEnd(r.Interval, p.IntervalSeconds)
	if !ok || now < 0 || uint64(now) < end {
		return ReasonEarly, Delta{}
	}
	if r.SocWh > a.BatteryWh {
		return ReasonSocAboveCapacity, Delta{}
	}
	if prev == nil {
		return ReasonBaseline, Delta{}
	}
	switch {
	case r.Interval == prev.Interval:
		return ReasonDuplicate, Delta{}
	case r.Interval < prev.Interval:
		return ReasonStale, Delta{}
	case r.ImportedWh < prev.Imported || r.ExportedWh < prev.Exported || r.ProducedWh < prev.Produced:
		return ReasonCounterBackwards, Delta{}
	}
	n := r.Interval - prev.Interval
	d := Delta{Imported: r.ImportedWh - prev.Imported, Exported: r.ExportedWh - prev.Exported, Produced: r.ProducedWh - prev.Produced}
	limit := whOver(a.RatedPowerW, n, p.IntervalSeconds)
	switch {
	case d.Imported > limit:
		return ReasonImportAboveRated, Delta{}
	case d.Exported > limit:
		return ReasonExportAboveRated, Delta{}
	case d.Produced > limit:
		return ReasonProductionRated, Delta{}
	}
	var charge, discharge uint64
	if r.SocWh >= prev.Soc {
		charge = r.SocWh - prev.Soc
	} else {
		discharge = prev.Soc - r.SocWh
	}
	if max(charge, discharge) > whOver(a.MaxChargeW, n, p.IntervalSeconds) {
		return ReasonBatteryRate, Delta{}
	}
	if d.Exported > satAdd(satAdd(d.Produced, d.Imported), discharge) {
		return ReasonExportSources, Delta{}
	}
	if n > 1 {
		return ReasonGap, Delta{}
	}
	return ReasonValid, d
}

// Flex is the flexible capacity of a battery at state of charge soc over
// one interval: what it could absorb plus what it could deliver, each
// bounded by its charge rate.
func Flex(p Params, a *energyv1.Attributes, soc uint64) uint64 {
	if a.BatteryWh == 0 || soc > a.BatteryWh {
		return 0
	}
	lim := whOver(a.MaxChargeW, 1, p.IntervalSeconds)
	return min(lim, soc) + min(lim, a.BatteryWh-soc)
}

func satAdd(a, b uint64) uint64 {
	if s, c := bits.Add64(a, b, 0); c == 0 {
		return s
	}
	return ^uint64(0)
}
