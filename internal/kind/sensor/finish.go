package sensor

import (
	"cmp"
	"slices"

	"github.com/depin-network/depin/internal/kind"
)

// Result is an epoch's outcome per device, sorted by device ID, with the
// units of the devices that earn and the next state.
type Result struct {
	Devices []DeviceResult
	Shares  []kind.Share
	State   []byte
}

// Finish runs the device checks and computes units: vehicle dedup, replay,
// copies, QoD, neighbour agreement, quality threshold, cell capacity and
// clusters, in that order; the first failing check is the device's reason.
func (s *Scorer) Finish() Result {
	s.expected = ExpectedReadings(s.seenRecv, s.minRecv, s.maxRecv, s.p.ReadingIntervalNs)
	for i := range s.devs {
		d := &s.devs[i]
		d.res.Expected = s.expected
		d.res.QoD = QoD(d.res.Valid, s.expected)
		if d.res.Valid > 0 && d.res.FirstEpoch == 0 {
			d.res.FirstEpoch = s.epoch
		}
	}
	s.dedupVehicles()
	s.findReplays()
	s.findCopies()
	s.judgeNeighbours()
	for i := range s.devs {
		d := &s.devs[i]
		if d.res.Reason == Valid && d.res.Valid > 0 && d.res.QoD < s.p.MinQoD {
			d.res.Reason = BelowQuality
		}
	}
	s.capCells()
	s.shareClusters()

	var out Result
	out.Devices = make([]DeviceResult, len(s.devs))
	for i := range s.devs {
		d := &s.devs[i]
		if d.res.Reason == Valid && d.res.Valid > 0 {
			cl := max(1, d.res.ClusterSize)
			d.res.Units = d.res.UptimeSlots * d.res.QoD * UnitScale / cl
		}
		out.Devices[i] = d.res
		if d.res.Units > 0 {
			out.Shares = append(out.Shares, kind.Share{Device: d.kd.ID, Pool: Pool, Units: d.res.Units})
		}
	}
	out.State = s.nextState()
	return out
}

// eligible: scored with valid readings and no device reason yet.
func (d *device) eligible() bool { return d.res.Reason == Valid && d.res.Valid > 0 }

// dedupVehicles keeps, among vehicles declaring one vehicle id, the most
// senior (earliest first epoch, then lowest device id).
func (s *Scorer) dedupVehicles() {
	var vs []int
	for i := range s.devs {
		if d := &s.devs[i]; d.eligible() && d.attrs.Class == ClassVehicle {
			vs = append(vs, i)
		}
	}
	slices.SortStableFunc(vs, func(a, b int) int {
		da, db := &s.devs[a], &s.devs[b]
		if c := compareID(da.attrs.VehicleID, db.attrs.VehicleID); c != 0 {
			return c
		}
		return cmp.Compare(da.res.FirstEpoch, db.res.FirstEpoch) // then index = id order
	})
	for j := 1; j < len(vs); j++ {
		if s.devs[vs[j]].attrs.VehicleID == s.devs[vs[j-1]].attrs.VehicleID {
			s.devs[vs[j]].res.Reason = DuplicateVehicle
		}
	}
}

type hashRef struct {
	hash uint64
	dev  int32
	recv int64
}

func sortRefs(rs []hashRef) {
	slices.SortFunc(rs, func(a, b hashRef) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		return cmp.Compare(a.dev, b.dev)
	})
}

// refsWith returns the entries of sorted refs with hash h.
func refsWith(rs []hashRef, h uint64) []hashRef {
	i, _ := slices.BinarySearchFunc(rs, h, func(r hashRef, h uint64) int { return cmp.Compare(r.hash, h) })
	j := i
	for j < len(rs) && rs[j].hash == h {
		j++
	}
	return rs[i:j]
}

// overlap is the entries a sketch shares with another device's.
type overlap struct {
	dev            int32
	shared         int
	later, earlier int // shared entries self received after / before the other
}

// bestOverlap counts, for the sketch of device self, the entries shared
// with each other device in refs and returns the other device sharing the
// most (ties: the lowest index), using buf as scratch.
func bestOverlap(refs []hashRef, sk *Sketch, self int32, buf []overlap) (overlap, []overlap) {
	buf = buf[:0]
	for j := range int(sk.N) {
		for _, r := range refsWith(refs, sk.Hash[j]) {
			if r.dev == self {
				continue
			}
			o := overlap{dev: r.dev, shared: 1}
			switch {
			case sk.Recv[j] > r.recv:
				o.later = 1
			case sk.Recv[j] < r.recv:
				o.earlier = 1
			}
			buf = append(buf, o)
		}
	}
	slices.SortFunc(buf, func(a, b overlap) int { return cmp.Compare(a.dev, b.dev) })
	var best, cur overlap
	best.dev = -1
	for k, o := range buf {
		if k == 0 || o.dev != cur.dev {
			cur = overlap{dev: o.dev}
		}
		cur.shared++
		cur.later += o.later
		cur.earlier += o.earlier
		if cur.shared > best.shared {
			best = cur
		}
	}
	return best, buf
}

// findReplays marks streams whose sketch is found in the previous epoch's
// sketch of any device (its own yesterday, or another's).
func (s *Scorer) findReplays() {
	var refs []hashRef
	for i, e := range s.prior {
		for _, h := range e.Hash[:e.N] {
			refs = append(refs, hashRef{hash: h, dev: int32(i)})
		}
	}
	if len(refs) == 0 {
		return
	}
	sortRefs(refs)
	var buf []overlap
	for i := range s.devs {
		d := &s.devs[i]
		if !d.eligible() || !d.sketch.Full() {
			continue
		}
		var o overlap
		if o, buf = bestOverlap(refs, &d.sketch, -1, buf); Overlapping(o.shared, s.p.SketchOverlapBps) {
			d.res.Reason, d.res.Overlap = ReplayedStream, uint64(o.shared)
		}
	}
}

// findCopies marks a stream that shares its sketch with another device's
// and whose shared readings mostly arrived after the other's (ties: the
// higher device id is the copy).
func (s *Scorer) findCopies() {
	var refs []hashRef
	for i := range s.devs {
		d := &s.devs[i]
		if d.scored && d.res.Valid > 0 && d.sketch.Full() {
			for j := range SketchSize {
				refs = append(refs, hashRef{hash: d.sketch.Hash[j], dev: int32(i), recv: d.sketch.Recv[j]})
			}
		}
	}
	sortRefs(refs)
	var buf []overlap
	for i := range s.devs {
		d := &s.devs[i]
		if !d.eligible() || !d.sketch.Full() {
			continue
		}
		var o overlap
		o, buf = bestOverlap(refs, &d.sketch, int32(i), buf)
		if !Overlapping(o.shared, s.p.SketchOverlapBps) {
			continue
		}
		if o.later > o.earlier || (o.later == o.earlier && int(o.dev) < i) {
			d.res.Reason, d.res.Overlap = CopiedStream, uint64(o.shared)
		}
	}
}
