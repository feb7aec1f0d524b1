package sensor

import (
	"bytes"
	"cmp"
	"fmt"
	"math/bits"
	"slices"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// ScorerVersion is the version of the rules in this file.
const ScorerVersion = 1

// UnitScale is the units one slot of uptime at QoD 1 earns.
const UnitScale = 10_000

// MaxSlots bounds an epoch's slots: longer epochs get wider slots.
const MaxSlots = 4096

// noValue marks a slot without a median.
const noValue = int64(-1 << 62)

// Role of a report.
type Role uint8

// Roles.
const (
	RoleReading Role = iota + 1
	RoleHeartbeat
)

// String names the role as outputs spell it.
func (r Role) String() string {
	if r == RoleHeartbeat {
		return "heartbeat"
	}
	return "reading"
}

// Verdict is the result of the report checks on one report.
type Verdict struct {
	ID     [32]byte
	Role   Role
	Reason Reason
	// Channel is the channel a channel check failed on, else -1.
	Channel int8
	// Value is the failing value, distance (m) or speed (km/h).
	Value int64
}

// DeviceResult is the epoch's judgement of one device.
type DeviceResult struct {
	ID          ledger.Address
	Reason      Reason // Valid or a device reason
	Readings    uint64
	Valid       uint64
	Expected    uint64
	QoD         uint64
	UptimeSlots uint64
	Judged      uint64 // slots judged against neighbours
	Outliers    uint64
	Overlap     uint64 // sketch entries shared with the copied or replayed stream
	ClusterSize uint64
	CellRank    uint64 // 1-based rank in its capacity cell, 0 if not ranked
	FirstEpoch  uint64 // seniority: first epoch with a valid reading
	Units       uint64
}

type device struct {
	kd      kind.Device
	attrs   Attributes
	attrErr bool
	latE7   int64
	lngE7   int64
	hasLoc  bool
	scored  bool
	res     DeviceResult
	sketch  Sketch
	slotMed []int64 // slots x neighbour channels, nil for vehicles
}

// neighbourChannels are the channels compared with the ring.
var neighbourChannels = func() []int {
	var out []int
	for i, c := range Channels {
		if c.Neighbour {
			out = append(out, i)
		}
	}
	return out
}()

// Scorer scores one epoch, one device at a time: call Device once for
// every device with reports (any order), then Finish.
type Scorer struct {
	p        Params
	geo      kind.Geo
	epoch    uint64
	start    int64
	end      int64
	slots    int
	slotNs   int64
	expected uint64
	// minRecv and maxRecv bound the receive times of the reports inside
	// the window: the epoch's observed span.
	minRecv, maxRecv int64
	seenRecv         bool
	devs             []device
	prior            []priorEntry
	// scratch
	bits    []uint64
	slotBuf [][]int64
	madBuf  []int64
	jumps   []Jump
}

// NewScorer prepares an epoch: devices sorted by ID, state from the
// previous epoch (nil for none).
func NewScorer(p Params, g kind.Geo, epoch uint64, start, end int64, devices []kind.Device, state []byte) (*Scorer, error) {
	if end <= start {
		return nil, fmt.Errorf("sensor: epoch [%d, %d) is empty: %w", start, end, kind.ErrInvalid)
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	prior, err := DecodeState(state)
	if err != nil {
		return nil, err
	}
	s := &Scorer{p: p, geo: g, epoch: epoch, start: start, end: end, prior: prior}
	length := uint64(end - start)
	s.slotNs = int64(p.SlotNs)
	if n := (length + p.SlotNs - 1) / p.SlotNs; n > MaxSlots {
		s.slotNs = int64((length + MaxSlots - 1) / MaxSlots)
	}
	s.slots = int((length + uint64(s.slotNs) - 1) / uint64(s.slotNs))
	s.bits = make([]uint64, (s.slots+63)/64)
	s.slotBuf = make([][]int64, len(neighbourChannels))
	s.devs = make([]device, len(devices))
	for i, d := range devices {
		if i > 0 && compareAddr(devices[i-1].ID, d.ID) >= 0 {
			return nil, fmt.Errorf("sensor: devices not sorted by id: %w", kind.ErrInvalid)
		}
		dv := &s.devs[i]
		dv.kd = d
		dv.res.ID = d.ID
		a, err := DecodeAttributes(d.Attributes)
		dv.attrs, dv.attrErr = a, err != nil
		if d.Cell != 0 && g.IsValid(d.Cell) {
			if lat, lng, err := g.CenterE7(d.Cell); err == nil {
				dv.latE7, dv.lngE7, dv.hasLoc = lat, lng, true
			}
		}
		if pe, ok := s.priorOf(d.ID); ok {
			dv.res.FirstEpoch = pe.FirstEpoch
		}
	}
	return s, nil
}

// Index returns the position of a device, and false if it is not one of
// the epoch's devices.
func (s *Scorer) Index(id ledger.Address) (int, bool) {
	return slices.BinarySearchFunc(s.devs, id, func(d device, id ledger.Address) int { return compareAddr(d.kd.ID, id) })
}

// Slots returns the epoch's number of slots.
func (s *Scorer) Slots() int { return s.slots }

// Expected returns the readings a device was expected to send: the
// epoch's observed span (first to last report of the kind received inside
// the window) over the reading interval, plus one. The window itself is
// widened by the chain's receive slack, so its length overstates the
// epoch. Valid after Finish.
func (s *Scorer) Expected() uint64 { return s.expected }

// ExpectedReadings is Expected from an observed span.
func ExpectedReadings(seen bool, minRecv, maxRecv int64, intervalNs uint64) uint64 {
	if !seen {
		return 1
	}
	return uint64(maxRecv-minRecv)/intervalNs + 1
}

func (s *Scorer) observe(recv int64) {
	if recv < s.start || recv >= s.end {
		return
	}
	if !s.seenRecv {
		s.minRecv, s.maxRecv, s.seenRecv = recv, recv, true
		return
	}
	s.minRecv, s.maxRecv = min(s.minRecv, recv), max(s.maxRecv, recv)
}

func (s *Scorer) slotOf(t int64) int {
	if t < s.start {
		return 0
	}
	i := int((t - s.start) / s.slotNs)
	return min(i, s.slots-1)
}

// precheck is the device-level gate every report of a device passes first.
func (s *Scorer) precheck(d *device) Reason {
	switch {
	case d.kd.Denied:
		return Denied
	case d.attrErr:
		return BadAttributes
	case !d.hasLoc:
		return Unasserted
	}
	return Valid
}

// Device runs the report checks over one device's readings and heartbeats
// (sorted here by device time, then id) and calls emit with each verdict.
// It must be called at most once per device.
func (s *Scorer) Device(i int, rs []Reading, hbs []Heartbeat, emit func(Verdict)) {
	d := &s.devs[i]
	d.scored = true
	slices.SortFunc(rs, func(a, b Reading) int {
		if c := cmp.Compare(a.Time, b.Time); c != 0 {
			return c
		}
		return compareID(a.ID, b.ID)
	})
	clear(s.bits)
	gate := s.precheck(d)
	p := &s.p
	for _, h := range hbs {
		s.observe(h.Received)
		v := Verdict{ID: h.ID, Role: RoleHeartbeat, Reason: gate, Channel: -1}
		if v.Reason == Valid {
			v.Reason = CheckWindow(h.Received, s.start, s.end)
		}
		if v.Reason == Valid {
			v.Reason = CheckClockDrift(h.Time, h.Received, p.MaxClockDriftNs)
		}
		if v.Reason == Valid {
			sl := s.slotOf(h.Received)
			s.bits[sl/64] |= 1 << (sl % 64)
		}
		emit(v)
	}
	station := d.attrs.Class == ClassStation
	if station && gate == Valid && d.slotMed == nil {
		d.slotMed = make([]int64, s.slots*len(neighbourChannels))
		for j := range d.slotMed {
			d.slotMed[j] = noValue
		}
	}
	var (
		prevVal  [NumChannels]int64
		prevT    [NumChannels]int64
		hasPrev  uint16
		stuck    [NumChannels]StuckRun
		lastT    int64
		hasLastT bool
		curSlot  = -1
	)
	if !station {
		s.jumps = TrackJumps(rs, p.MaxVehicleSpeedKmh, p.MinFixSatellites, s.jumps)
	}
	for k := range s.slotBuf {
		s.slotBuf[k] = s.slotBuf[k][:0]
	}
	flush := func() {
		if curSlot < 0 {
			return
		}
		for k := range s.slotBuf {
			if len(s.slotBuf[k]) > 0 {
				d.slotMed[curSlot*len(neighbourChannels)+k] = Median(s.slotBuf[k])
				s.slotBuf[k] = s.slotBuf[k][:0]
			}
		}
	}
	for ri := range rs {
		r := &rs[ri]
		s.observe(r.Received)
		d.res.Readings++
		v := Verdict{ID: r.ID, Role: RoleReading, Reason: gate, Channel: -1}
		if v.Reason == Valid {
			v.Reason = CheckWindow(r.Received, s.start, s.end)
		}
		if v.Reason == Valid {
			v.Reason = CheckClockDrift(r.Time, r.Received, p.MaxClockDriftNs)
		}
		if v.Reason == Valid {
			v.Reason = CheckDuplicate(lastT, hasLastT, r.Time)
			lastT, hasLastT = r.Time, true
		}
		if v.Reason == Valid {
			var ch int
			v.Reason, ch = CheckDeclared(r.Mask, d.attrs.Channels)
			v.Channel = int8(ch)
		}
		if v.Reason == Valid && r.Fix.Has {
			var x uint64
			if station {
				v.Reason, x = CheckStationFix(r.Fix, d.latE7, d.lngE7, p.MaxFixDistanceM, p.MinFixSatellites)
			} else {
				v.Reason, x = s.jumps[ri].reason, s.jumps[ri].kmh
			}
			v.Value = int64(min(x, 1<<62))
		}
		if v.Reason == Valid {
			v.Reason, v.Channel, v.Value = s.channelChecks(r, &prevVal, &prevT, &hasPrev, &stuck)
		}
		if v.Reason == Valid {
			d.res.Valid++
			sl := s.slotOf(r.Time)
			s.bits[sl/64] |= 1 << (sl % 64)
			d.sketch.Add(ValueHash(r), r.Received)
			if d.slotMed != nil {
				if sl != curSlot {
					flush()
					curSlot = sl
				}
				for k, ch := range neighbourChannels {
					if r.Mask&(1<<ch) != 0 {
						s.slotBuf[k] = append(s.slotBuf[k], r.Values[ch])
					}
				}
			}
		}
		emit(v)
	}
	if d.slotMed != nil {
		flush()
	}
	for _, w := range s.bits {
		d.res.UptimeSlots += uint64(bits.OnesCount64(w))
	}
}

// channelChecks runs range, rate and stuck over the reading's channels in
// table order. Range is checked on every channel before rate and stuck,
// so one wild value never becomes the base of the next rate check.
func (s *Scorer) channelChecks(r *Reading, prevVal, prevT *[NumChannels]int64, hasPrev *uint16, stuck *[NumChannels]StuckRun) (Reason, int8, int64) {
	for ch := range NumChannels {
		if r.Mask&(1<<ch) != 0 && CheckRange(ch, r.Values[ch]) != Valid {
			return OutOfRange, int8(ch), r.Values[ch]
		}
	}
	reason, bad := Valid, -1
	for ch := range NumChannels {
		if r.Mask&(1<<ch) == 0 {
			continue
		}
		v := r.Values[ch]
		if *hasPrev&(1<<ch) != 0 && reason == Valid && CheckRate(ch, prevVal[ch], v, r.Time-prevT[ch]) != Valid {
			reason, bad = RateOfChange, ch
		}
		if Channels[ch].Stuck && stuck[ch].CheckStuck(v, r.Time, s.p.StuckWindowNs) != Valid && reason == Valid {
			reason, bad = Stuck, ch
		}
		prevVal[ch], prevT[ch] = v, r.Time
		*hasPrev |= 1 << ch
	}
	if reason != Valid {
		return reason, int8(bad), r.Values[bad]
	}
	return Valid, -1, 0
}

func compareAddr(a, b ledger.Address) int { return bytes.Compare(a[:], b[:]) }

func compareID(a, b [32]byte) int {
	for i := range a {
		if a[i] != b[i] {
			return cmp.Compare(a[i], b[i])
		}
	}
	return 0
}
