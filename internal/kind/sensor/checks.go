package sensor

// The per-report quality checks, each a pure function returning Valid or
// its reason. The scorer runs them in the order of the Reason constants
// and stops at the first failure.

// Reading is a decoded reading with its envelope times.
type Reading struct {
	ID       [32]byte
	Received int64 // ingest receive time, ns
	Time     int64 // device clock, ns
	Mask     uint16
	Values   [NumChannels]int64
	Fix      Fix
}

// Fix is a GNSS fix.
type Fix struct {
	Has        bool
	LatE7      int64
	LngE7      int64
	Satellites uint32
}

// Heartbeat is a heartbeat's envelope times.
type Heartbeat struct {
	ID       [32]byte
	Received int64
	Time     int64
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
	if d < 0 || uint64(d) > maxDrift { // d < 0 only for MinInt64
		return ClockDrift
	}
	return Valid
}

// CheckDuplicate: a reading's device time differs from the previous one's
// (readings in device-time order).
func CheckDuplicate(prevTime int64, hasPrev bool, t int64) Reason {
	if hasPrev && prevTime == t {
		return Duplicate
	}
	return Valid
}

// CheckDeclared: every channel of the reading is declared; it returns the
// first undeclared channel.
func CheckDeclared(mask, declared uint16) (Reason, int) {
	if extra := mask &^ declared; extra != 0 {
		for i := range NumChannels {
			if extra&(1<<i) != 0 {
				return UndeclaredChannel, i
			}
		}
	}
	return Valid, -1
}

// CheckStationFix: a station's fix (if it has one with enough satellites)
// within maxDistM of its asserted cell centre; it returns the distance.
func CheckStationFix(f Fix, cellLatE7, cellLngE7 int64, maxDistM, minSats uint64) (Reason, uint64) {
	if !f.Has || uint64(f.Satellites) < minSats {
		return Valid, 0
	}
	d := DistanceM(cellLatE7, cellLngE7, f.LatE7, f.LngE7)
	if d > maxDistM {
		return LocationMismatch, d
	}
	return Valid, d
}

// CheckTrack: a vehicle's fix reachable from its previous fix at most
// maxKmh; it returns the implied speed in km/h. Fixes with too few
// satellites are not judged.
func CheckTrack(prev Fix, prevTime int64, f Fix, t int64, maxKmh, minSats uint64) (Reason, uint64) {
	if !prev.Has || !f.Has || uint64(f.Satellites) < minSats || uint64(prev.Satellites) < minSats {
		return Valid, 0
	}
	d := DistanceM(prev.LatE7, prev.LngE7, f.LatE7, f.LngE7)
	dt := t - prevTime
	if dt <= 0 {
		dt = 1
	}
	// km/h = m / s x 3.6; dt in ns. Allow one fix's error of 50 m.
	const slackM = 50
	if d <= slackM {
		return Valid, 0
	}
	kmh := (d - slackM) * 3_600_000_000_000 / 1000 / uint64(dt)
	if d > 1<<40 || kmh > maxKmh {
		return GNSSJump, kmh
	}
	return Valid, kmh
}

// CheckRange: v inside its channel's physical range.
func CheckRange(ch int, v int64) Reason {
	if c := &Channels[ch]; v < c.Min || v > c.Max {
		return OutOfRange
	}
	return Valid
}

// CheckRate: the change from the previous value of the channel (taken
// dtNs earlier) at most the channel's rate per hour, and at least its
// floor; a monotonic channel never decreases.
func CheckRate(ch int, prev, v, dtNs int64) Reason {
	c := &Channels[ch]
	if c.Monotonic && v < prev {
		return RateOfChange
	}
	if c.RatePerHour == 0 {
		return Valid
	}
	if dtNs < 0 {
		dtNs = 0
	}
	const hour = int64(3_600_000_000_000)
	limit := c.RateFloor
	if dtNs >= hour {
		limit = max(limit, c.RatePerHour*(dtNs/hour))
	} else {
		limit = max(limit, c.RatePerHour*dtNs/hour)
	}
	if abs64(v-prev) > limit {
		return RateOfChange
	}
	return Valid
}

// StuckRun tracks how long one channel has held its value.
type StuckRun struct {
	Value int64
	Since int64
	Has   bool
}

// CheckStuck observes value v at time t and reports Stuck once the value
// has been held for window (WeatherXM: constant values over an hour).
func (s *StuckRun) CheckStuck(v, t int64, window uint64) Reason {
	if !s.Has || s.Value != v {
		*s = StuckRun{Value: v, Since: t, Has: true}
		return Valid
	}
	if t-s.Since >= int64(window) {
		return Stuck
	}
	return Valid
}

// QoD is the quality of data 0-100: valid readings over expected readings.
func QoD(valid, expected uint64) uint64 {
	if expected == 0 {
		return 0
	}
	if valid >= expected {
		return 100
	}
	return valid * 100 / expected
}

// Disagrees: outlier slots over judged slots above maxBps.
func Disagrees(outliers, judged, maxBps uint64) bool {
	return judged > 0 && outliers*10_000 > maxBps*judged
}

// Overlapping: shared sketch entries at least bps of a full sketch.
func Overlapping(shared int, bps uint64) bool {
	return uint64(shared)*10_000 >= bps*SketchSize
}

// Jump is the track verdict of one reading.
type Jump struct {
	reason Reason
	kmh    uint64
}

// TrackJumps judges a vehicle's track (readings in device-time order): the
// edge between two consecutive usable fixes (at least minSats satellites)
// jumps if CheckTrack refuses it, and a reading whose fix has a jumping
// edge on either side is GNSSJump. A spoofed track that teleports and
// comes back loses every reading on both sides of each teleport, whichever
// fix came first; an honest glitch costs the glitch and its neighbours.
// out is reused.
func TrackJumps(rs []Reading, maxKmh, minSats uint64, out []Jump) []Jump {
	out = out[:0]
	for range rs {
		out = append(out, Jump{})
	}
	prev := -1
	for i := range rs {
		f := rs[i].Fix
		if !f.Has || uint64(f.Satellites) < minSats {
			continue
		}
		if prev >= 0 {
			if r, kmh := CheckTrack(rs[prev].Fix, rs[prev].Time, f, rs[i].Time, maxKmh, minSats); r != Valid {
				out[prev] = Jump{GNSSJump, max(out[prev].kmh, kmh)}
				out[i] = Jump{GNSSJump, kmh}
			}
		}
		prev = i
	}
	return out
}
