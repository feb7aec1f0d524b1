package sensor

import (
	"cmp"
	"slices"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// referenceScore is the naive scorer the fast one is compared with: the
// same rules written plainly, quadratic where that is simplest (every
// report scanned per device, every pair of stations compared, every
// sketch pair compared), sharing only the pure check functions.
func referenceScore(in kind.Input) kind.Output {
	p, err := ParamsFrom(in.Params)
	if err != nil {
		panic(err)
	}
	prior, err := DecodeState(in.State)
	if err != nil {
		panic(err)
	}
	length := in.End - in.Start
	slotNs := int64(p.SlotNs)
	if (length+slotNs-1)/slotNs > MaxSlots {
		slotNs = (length + MaxSlots - 1) / MaxSlots
	}
	slots := int((length + slotNs - 1) / slotNs)
	// the observed span: every reading or heartbeat of a registered
	// device received inside the window
	var minR, maxR int64
	seen := false
	for _, r := range in.Reports {
		if r.Type != TypeReading && r.Type != TypeHeartbeat || r.Received < in.Start || r.Received >= in.End {
			continue
		}
		known := false
		for _, d := range in.Devices {
			known = known || d.ID == r.Device
		}
		if !known {
			continue
		}
		if r.Type == TypeReading {
			var x Reading
			if DecodeReading(r.Body, &x) != nil {
				continue
			}
		}
		if !seen || r.Received < minR {
			minR = r.Received
		}
		if !seen || r.Received > maxR {
			maxR = r.Received
		}
		seen = true
	}
	expected := uint64(1)
	if seen {
		expected = uint64(maxR-minR)/p.ReadingIntervalNs + 1
	}
	slotOf := func(t int64) int {
		if t < in.Start {
			return 0
		}
		return min(int((t-in.Start)/slotNs), slots-1)
	}

	type refDev struct {
		d        kind.Device
		a        Attributes
		bad      bool
		lat, lng int64
		loc      bool
		res      DeviceResult
		sk       Sketch
		med      map[[2]int]int64 // (slot, neighbour channel index) -> median
		verdicts []Verdict
	}
	devs := make([]*refDev, len(in.Devices))
	for i, d := range in.Devices {
		rd := &refDev{d: d, med: map[[2]int]int64{}}
		rd.res.ID = d.ID
		rd.a, err = DecodeAttributes(d.Attributes)
		rd.bad = err != nil
		if d.Cell != 0 && in.Geo.IsValid(d.Cell) {
			if la, ln, err := in.Geo.CenterE7(d.Cell); err == nil {
				rd.lat, rd.lng, rd.loc = la, ln, true
			}
		}
		for _, e := range prior {
			if e.ID == d.ID {
				rd.res.FirstEpoch = e.FirstEpoch
			}
		}
		devs[i] = rd
	}
	find := func(a ledger.Address) *refDev {
		for _, d := range devs {
			if d.d.ID == a {
				return d
			}
		}
		return nil
	}
	var out kind.Output
	out.ScorerVersion = ScorerVersion
	type vref struct {
		v   Verdict
		dev *refDev
		by  ledger.Address
	}
	var all []vref
	for _, d := range devs {
		var rs []Reading
		var hbs []Heartbeat
		for _, r := range in.Reports {
			if r.Device != d.d.ID {
				continue
			}
			switch r.Type {
			case TypeHeartbeat:
				hbs = append(hbs, Heartbeat{ID: r.ID, Received: r.Received, Time: r.Timestamp})
			case TypeReading:
				var x Reading
				if DecodeReading(r.Body, &x) == nil {
					x.ID, x.Received, x.Time = r.ID, r.Received, r.Timestamp
					rs = append(rs, x)
				}
			}
		}
		slices.SortFunc(rs, func(a, b Reading) int {
			if c := cmp.Compare(a.Time, b.Time); c != 0 {
				return c
			}
			return compareID(a.ID, b.ID)
		})
		gate := Valid
		switch {
		case d.d.Denied:
			gate = Denied
		case d.bad:
			gate = BadAttributes
		case !d.loc:
			gate = Unasserted
		}
		up := map[int]bool{}
		for _, h := range hbs {
			r := gate
			if r == Valid {
				r = CheckWindow(h.Received, in.Start, in.End)
			}
			if r == Valid {
				r = CheckClockDrift(h.Time, h.Received, p.MaxClockDriftNs)
			}
			if r == Valid {
				up[slotOf(h.Received)] = true
			}
			all = append(all, vref{v: Verdict{ID: h.ID, Role: RoleHeartbeat, Reason: r}, dev: d})
		}
		station := d.a.Class == ClassStation
		var stuck [NumChannels]StuckRun
		var lastVal, lastT [NumChannels]int64
		var seen [NumChannels]bool
		slotVals := map[[2]int][]int64{}
		for i, r := range rs {
			d.res.Readings++
			reason := gate
			if reason == Valid {
				reason = CheckWindow(r.Received, in.Start, in.End)
			}
			if reason == Valid {
				reason = CheckClockDrift(r.Time, r.Received, p.MaxClockDriftNs)
			}
			if reason == Valid {
				// the previous reading in time that got this far
				prevSeen := false
				for j := i - 1; j >= 0; j-- {
					pj := rs[j]
					if gate == Valid && CheckWindow(pj.Received, in.Start, in.End) == Valid && CheckClockDrift(pj.Time, pj.Received, p.MaxClockDriftNs) == Valid {
						prevSeen = pj.Time == r.Time
						break
					}
				}
				if prevSeen {
					reason = Duplicate
				}
			}
			if reason == Valid {
				reason, _ = CheckDeclared(r.Mask, d.a.Channels)
			}
			if reason == Valid && r.Fix.Has {
				if station {
					reason, _ = CheckStationFix(r.Fix, d.lat, d.lng, p.MaxFixDistanceM, p.MinFixSatellites)
				} else {
					// a jumping edge to the previous or the next usable fix
					usable := func(f Fix) bool { return f.Has && uint64(f.Satellites) >= p.MinFixSatellites }
					if usable(r.Fix) {
						for j := i - 1; j >= 0; j-- {
							if usable(rs[j].Fix) {
								if x, _ := CheckTrack(rs[j].Fix, rs[j].Time, r.Fix, r.Time, p.MaxVehicleSpeedKmh, p.MinFixSatellites); x != Valid {
									reason = GNSSJump
								}
								break
							}
						}
						for j := i + 1; j < len(rs); j++ {
							if usable(rs[j].Fix) {
								if x, _ := CheckTrack(r.Fix, r.Time, rs[j].Fix, rs[j].Time, p.MaxVehicleSpeedKmh, p.MinFixSatellites); x != Valid {
									reason = GNSSJump
								}
								break
							}
						}
					}
				}
			}
			if reason == Valid {
				for ch := range NumChannels {
					if r.Mask&(1<<ch) != 0 && CheckRange(ch, r.Values[ch]) != Valid {
						reason = OutOfRange
						break
					}
				}
			}
			if reason == Valid {
				for ch := range NumChannels {
					if r.Mask&(1<<ch) == 0 {
						continue
					}
					if seen[ch] && reason == Valid && CheckRate(ch, lastVal[ch], r.Values[ch], r.Time-lastT[ch]) != Valid {
						reason = RateOfChange
					}
					if Channels[ch].Stuck && stuck[ch].CheckStuck(r.Values[ch], r.Time, p.StuckWindowNs) != Valid && reason == Valid {
						reason = Stuck
					}
					lastVal[ch], lastT[ch], seen[ch] = r.Values[ch], r.Time, true
				}
			}
			if reason == Valid {
				d.res.Valid++
				up[slotOf(r.Time)] = true
				d.sk.Add(ValueHash(&r), r.Received)
				if station {
					for k, ch := range neighbourChannels {
						if r.Mask&(1<<ch) != 0 {
							key := [2]int{slotOf(r.Time), k}
							slotVals[key] = append(slotVals[key], r.Values[ch])
						}
					}
				}
			}
			all = append(all, vref{v: Verdict{ID: r.ID, Role: RoleReading, Reason: reason}, dev: d})
		}
		for k, vs := range slotVals {
			d.med[k] = Median(vs)
		}
		d.res.UptimeSlots = uint64(len(up))
		d.res.Expected = expected
		d.res.QoD = QoD(d.res.Valid, expected)
		if d.res.Valid > 0 && d.res.FirstEpoch == 0 {
			d.res.FirstEpoch = in.Epoch
		}
	}
	for _, r := range in.Reports {
		if (r.Type == TypeReading || r.Type == TypeHeartbeat) && find(r.Device) == nil {
			role := RoleReading
			if r.Type == TypeHeartbeat {
				role = RoleHeartbeat
			}
			all = append(all, vref{v: Verdict{ID: r.ID, Role: role, Reason: UnknownDevice}, by: r.Device})
		}
	}
	elig := func(d *refDev) bool { return d.res.Reason == Valid && d.res.Valid > 0 }
	// vehicles
	for _, d := range devs {
		if !elig(d) || d.a.Class != ClassVehicle {
			continue
		}
		for _, o := range devs {
			if o != d && o.a.Class == ClassVehicle && o.res.Valid > 0 && o.a.VehicleID == d.a.VehicleID &&
				(o.res.FirstEpoch < d.res.FirstEpoch || (o.res.FirstEpoch == d.res.FirstEpoch && compareAddr(o.d.ID, d.d.ID) < 0)) &&
				o.res.Reason == Valid && !o.bad && !o.d.Denied && o.loc {
				d.res.Reason = DuplicateVehicle
			}
		}
	}
	// replays
	for _, d := range devs {
		if !elig(d) || !d.sk.Full() {
			continue
		}
		best := 0
		for _, e := range prior {
			best = max(best, Shared(d.sk.Hash[:], e.Hash[:e.N]))
		}
		if Overlapping(best, p.SketchOverlapBps) {
			d.res.Reason, d.res.Overlap = ReplayedStream, uint64(best)
		}
	}
	// copies
	for i, d := range devs {
		if !elig(d) || !d.sk.Full() {
			continue
		}
		bestN, bestLater, bestEarlier, bestJ := 0, 0, 0, -1
		for j, o := range devs {
			if j == i || o.res.Valid == 0 || !o.sk.Full() {
				continue
			}
			n, later, earlier := 0, 0, 0
			for a := range SketchSize {
				for b := range SketchSize {
					if d.sk.Hash[a] == o.sk.Hash[b] {
						n++
						if d.sk.Recv[a] > o.sk.Recv[b] {
							later++
						} else if d.sk.Recv[a] < o.sk.Recv[b] {
							earlier++
						}
					}
				}
			}
			if n > bestN {
				bestN, bestLater, bestEarlier, bestJ = n, later, earlier, j
			}
		}
		if Overlapping(bestN, p.SketchOverlapBps) && (bestLater > bestEarlier || (bestLater == bestEarlier && bestJ < i)) {
			d.res.Reason, d.res.Overlap = CopiedStream, uint64(bestN)
		}
	}
	// neighbours
	parent := func(d *refDev, res uint64) (uint64, bool) {
		if !d.loc || in.Geo.Resolution(d.d.Cell) < int(res) {
			return 0, false
		}
		c, err := in.Geo.Parent(d.d.Cell, int(res))
		return c, err == nil
	}
	for _, d := range devs {
		if d.a.Class != ClassStation || d.res.Valid == 0 || d.bad || d.d.Denied {
			continue
		}
		pc, ok := parent(d, p.NeighbourRes)
		if !ok {
			continue
		}
		var ring []*refDev
		for _, o := range devs {
			if o.a.Class != ClassStation || o.res.Valid == 0 || o.bad || o.d.Denied {
				continue
			}
			if oc, ok := parent(o, p.NeighbourRes); ok {
				if dist, err := in.Geo.GridDistance(pc, oc); err == nil && dist <= int64(p.NeighbourRing) {
					ring = append(ring, o)
				}
			}
		}
		if uint64(len(ring)) < p.MinNeighbours {
			continue
		}
		for sl := range slots {
			judged, outlier := false, false
			for k := range neighbourChannels {
				var vals []int64
				for _, o := range ring {
					if v, ok := o.med[[2]int{sl, k}]; ok {
						vals = append(vals, v)
					}
				}
				if uint64(len(vals)) < p.MinNeighbours {
					continue
				}
				med := Median(vals)
				mad, _ := MAD(vals, med, nil)
				if v, ok := d.med[[2]int{sl, k}]; ok {
					judged = true
					if Outlier(v, med, mad, Channels[neighbourChannels[k]].NeighbourFloor, p.MADFactorPct) {
						outlier = true
					}
				}
			}
			if judged {
				d.res.Judged++
			}
			if outlier {
				d.res.Outliers++
			}
		}
	}
	for _, d := range devs {
		if elig(d) && Disagrees(d.res.Outliers, d.res.Judged, p.MaxOutlierBps) {
			d.res.Reason = NeighbourDisagreement
		}
		if elig(d) && d.res.QoD < p.MinQoD {
			d.res.Reason = BelowQuality
		}
	}
	// capacity: rank = 1 + eligible stations of the cell ranked before
	better := func(o, d *refDev) bool {
		if o.res.QoD != d.res.QoD {
			return o.res.QoD > d.res.QoD
		}
		if o.res.FirstEpoch != d.res.FirstEpoch {
			return o.res.FirstEpoch < d.res.FirstEpoch
		}
		return compareAddr(o.d.ID, d.d.ID) < 0
	}
	var ranked []*refDev
	for _, d := range devs {
		if elig(d) && d.a.Class == ClassStation {
			if _, ok := parent(d, p.CellRes); ok {
				ranked = append(ranked, d)
			}
		}
	}
	for _, d := range ranked {
		c, _ := parent(d, p.CellRes)
		rank := uint64(1)
		for _, o := range ranked {
			if oc, _ := parent(o, p.CellRes); o != d && oc == c && better(o, d) {
				rank++
			}
		}
		d.res.CellRank = rank
	}
	for _, d := range ranked {
		if d.res.CellRank > p.MaxPerCell {
			d.res.Reason = CellCapacity
		}
	}
	for _, d := range devs {
		if !elig(d) || d.a.Class != ClassStation {
			continue
		}
		c, ok := parent(d, p.ClusterRes)
		if !ok {
			d.res.ClusterSize = 1
			continue
		}
		for _, o := range devs {
			if oc, ok := parent(o, p.ClusterRes); ok && oc == c && elig(o) && o.a.Class == ClassStation {
				d.res.ClusterSize++
			}
		}
	}
	for _, d := range devs {
		if elig(d) {
			d.res.Units = d.res.UptimeSlots * d.res.QoD * UnitScale / max(1, d.res.ClusterSize)
			if d.res.Units > 0 {
				out.Shares = append(out.Shares, kind.Share{Device: d.d.ID, Pool: Pool, Units: d.res.Units})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b vref) int {
		if c := cmp.Compare(a.v.Role.String(), b.v.Role.String()); c != 0 {
			return c
		}
		return compareID(a.v.ID, b.v.ID)
	})
	paid := map[*refDev]bool{}
	for _, x := range all {
		kr := kind.Reason{ID: x.v.ID, Role: x.v.Role.String(), Reason: x.v.Reason.String(), Device: x.by}
		if x.dev != nil {
			kr.Device = x.dev.d.ID
			if x.v.Reason == Valid && x.v.Role == RoleReading {
				if x.dev.res.Reason != Valid {
					kr.Reason = x.dev.res.Reason.String()
				} else if x.dev.res.Units > 0 {
					kr.Share = x.dev.res.Units / x.dev.res.Valid
					if !paid[x.dev] {
						kr.Share += x.dev.res.Units % x.dev.res.Valid
						paid[x.dev] = true
					}
				}
			}
		}
		out.Reasons = append(out.Reasons, kr)
	}
	var es []priorEntry
	for _, d := range devs {
		e := priorEntry{ID: d.d.ID, FirstEpoch: d.res.FirstEpoch}
		if d.res.Valid > 0 && d.sk.Full() {
			e.N, e.Hash = d.sk.N, d.sk.Hash
		} else {
			for _, pe := range prior {
				if pe.ID == d.d.ID {
					e.N, e.Hash = pe.N, pe.Hash
				}
			}
		}
		if e.FirstEpoch != 0 || e.N != 0 {
			es = append(es, e)
		}
	}
	if len(es) > 0 {
		out.State = encodeState(es)
	}
	return out
}
