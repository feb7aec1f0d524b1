package coverage

import "github.com/depin-network/depin/internal/ledger"

// Most checks of a report read only the report, its device's registry
// record and the epoch: they do not depend on what the epoch's earlier
// reports did. precheck runs them before the receive-order pass, beacon by
// beacon in the order of the beaconers' hotspots, with each beacon's
// witnesses in receive order. A beacon's witnesses are its beaconer's
// neighbours, and hotspots listed in a spatial order (a registry or fleet
// listed by place) put neighbours close together, so the records a check
// reads (the hotspots' sites, the witnesses' columns) are mostly in cache,
// where in receive order every beacon reads them at random. The
// receive-order pass (scorer.beacon) then reads one verdict per report in
// sequence and touches only the state earlier reports change: the interval
// bucket, the reciprocity times and the shares (BENCHMARKS.md, epoch).

// beaconCheck is precheck's verdict on one beacon.
type beaconCheck struct {
	received int64
	hot      int32 // the beaconer's hotspot
	x        int32 // the failed check's detail, an index in scorer.details
	reason   Reason
	// late: the failed check comes after the interval check (the packet
	// checks), which the receive-order pass runs first.
	late bool
	// Set by the receive-order pass: ok, the beacon is valid, and sel, the
	// number of witnesses it selected.
	ok  bool
	sel uint8
}

// precheck fills s.checks for every beacon that is neither a repeated id
// nor a repeated payload (those fail first, in the receive-order pass), and
// s.wr, s.wx for the witnesses of each beacon that passes its checks. The
// j-th beacon is input beacon order[j] (hotspotOrder); its verdict goes to
// s.checks[j], and attached[counts[j]:counts[j+1]] are its witnesses, in
// receive order, whose verdicts go to the same positions of s.wr and s.wx.
// Everything is read and written in sequence but the hotspots' and the
// witnesses' records.
func (s *scorer) precheck(order, attached, counts []int32, repB, repeat []bool) {
	s.checks = make([]beaconCheck, len(order))
	s.wr = make([]Reason, len(attached))
	s.wx = make([]int32, len(attached))
	// stamp[a] is 1 + the position j of the last beacon the device with
	// interned address a (Witnesses.addrs holds each address once) was
	// seen witnessing: a set of a beacon's witnesses that needs no clearing
	// between beacons. The interned addresses follow the witnesses' input
	// order, so a beacon's witnesses' entries are near one another, where
	// device ids (address order) are not.
	stamp := make([]int32, len(s.w.addrs))
	for j, bi := range order {
		if repB[bi] || repeat[bi] {
			continue
		}
		b := &s.in.Beacons[bi]
		ref := s.beaconRef[bi]
		e, reason, detail, late := s.checkBeacon(b, ref.hot)
		c := &s.checks[j]
		*c = beaconCheck{received: b.Received, hot: ref.hot, reason: reason, late: late, x: s.detail(detail)}
		if reason != ReasonValid {
			continue
		}
		k0 := counts[j]
		wit := attached[k0:counts[j+1]]
		first := b.Received
		if len(wit) > 0 {
			first = s.w.received[wit[0]]
		}
		var limit int64
		if b.Received <= first {
			limit = b.Received + int64(s.p.WitnessDelayNs)
		} else {
			limit = first + int64(s.p.WitnessAfterFirstNs)
		}
		for k, wi := range wit {
			a := s.w.device[wi]
			wref := s.addrRef[a]
			r, d := s.checkWitness(b, ref.hot, ref.dev, e, wi, a, wref, limit, int32(j)+1, stamp)
			s.wr[k0+int32(k)] = r
			if r == ReasonValid {
				s.wx[k0+int32(k)] = wref.hot
			} else {
				s.wx[k0+int32(k)] = s.detail(d)
			}
		}
	}
}

// hotspotOrder orders the beacons by their beaconers' hotspot index
// (beacons of unregistered devices last, each hotspot's in input order):
// order[j] is the input index of the j-th beacon, jOf[bi] the position of
// input beacon bi.
func (s *scorer) hotspotOrder() (order, jOf []int32) {
	nh := len(s.in.Hotspots)
	start := make([]int32, nh+2)
	slot := func(hot int32) int32 {
		if hot < 0 {
			return int32(nh)
		}
		return hot
	}
	for _, r := range s.beaconRef {
		start[slot(r.hot)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	order, jOf = make([]int32, len(s.beaconRef)), make([]int32, len(s.beaconRef))
	for bi, r := range s.beaconRef {
		h := slot(r.hot)
		order[start[h]], jOf[bi] = int32(bi), start[h]
		start[h]++
	}
	return order, jOf
}

// settle adds up the shares of the valid beacons and their valid witnesses
// and links them into groups (component.go), once the receive-order pass
// has decided which are valid: sums and links do not depend on the order
// they are made in, so they follow the hotspot order of precheck, where the
// hotspots' records are close together and the verdicts in sequence.
func (s *scorer) settle(counts []int32) {
	s.tally = make([]tally, len(s.in.Hotspots))
	s.groups, s.linked = newComponents(len(s.in.Hotspots)), make([]bool, len(s.in.Hotspots))
	for j := range s.checks {
		c := &s.checks[j]
		if !c.ok {
			continue
		}
		hi := c.hot
		scale := s.hexScale(hi)
		bshare, _ := ledger.MulDiv(s.units.beaconer[c.sel], scale, Scale)
		wshare, _ := ledger.MulDiv(s.units.witness[c.sel], scale, Scale)
		t := &s.tally[hi]
		t.Beaconer += bshare
		t.ValidBeacons++
		for k := counts[j]; k < counts[j+1]; k++ {
			if s.wr[k] != ReasonValid {
				continue
			}
			whot := s.wx[k]
			wt := &s.tally[whot]
			wt.Witness += wshare
			wt.ValidWitnesses++
			s.groups.link(hi, whot)
			s.linked[hi], s.linked[whot] = true, true
		}
	}
}
