package coverage

import "fmt"

// beacon runs the checks of beacon bi that depend on what earlier reports
// did (the interval bucket, reciprocity, selection), in receive order, and
// records its verdict and its witnesses'. c is what precheck found; wit
// are the witnesses (in receive order), wr and wx their precheck verdicts
// (the reason, and the detail's index or, when valid, the witness's
// hotspot), updated here. The shares and links of a valid beacon follow
// from c.sel and wr in settle.
func (s *scorer) beacon(bi int32, c *beaconCheck, wit []int32, wr []Reason, wx []int32) {
	p := &s.p
	if c.reason != ReasonValid && !c.late {
		s.invalidBeacon(bi, wit, c.reason, c.x)
		return
	}
	hi := c.hot
	if last := s.times[hi].LastBeacon; last != 0 && floorDiv(last, int64(p.BeaconIntervalNs)) == floorDiv(c.received, int64(p.BeaconIntervalNs)) {
		s.invalidBeacon(bi, wit, ReasonIrregularInterval, s.detail(fmt.Sprintf("already beaconed at %d in this %d ns interval", last, p.BeaconIntervalNs)))
		return
	}
	if c.reason != ReasonValid {
		s.invalidBeacon(bi, wit, c.reason, c.x)
		return
	}
	// The beacon took its interval bucket.
	s.times[hi].LastBeacon = c.received

	anyPassed := false
	for k, wi := range wit {
		if wr[k] == ReasonValid {
			anyPassed = true
			// HIP-106 bootstrap: a witness that passes every other check
			// counts as the witness's activity even if reciprocity fails
			// on either side.
			a := &s.times[wx[k]]
			a.LastWitness = max(a.LastWitness, s.w.received[wi])
		}
	}

	// HIP-106 beacon side: the beaconer must have witnessed within the
	// window (verify_beacon_reciprocity, iot_verifier/src/runner.rs).
	window := int64(p.ReciprocityWindowNs)
	if last := s.times[hi].LastWitness; last == 0 || c.received-last >= window {
		s.invalidBeacon(bi, wit, ReasonNoValidWitnesses, s.detail("no valid witness by the beaconer within the reciprocity window"))
		return
	}

	// HIP-106 witness side, then HIP-83 selection of the first by receive
	// time.
	selected := 0
	for k, wi := range wit {
		if wr[k] != ReasonValid {
			continue
		}
		if lb := s.times[wx[k]].LastBeaconRecip; lb == 0 || s.w.received[wi]-lb >= window {
			wr[k], wx[k] = ReasonNoValidBeacons, s.detail("no valid beacon by the witness within the reciprocity window")
			continue
		}
		if uint64(selected) >= p.MaxWitnessesPerBeacon {
			wr[k], wx[k] = ReasonNotSelected, s.detail(fmt.Sprintf("after the first %d valid witnesses", p.MaxWitnessesPerBeacon))
			continue
		}
		selected++
	}
	if anyPassed {
		a := &s.times[hi]
		a.LastBeaconRecip = max(a.LastBeaconRecip, c.received)
	}

	s.record(s.rankB[bi], bi, ReasonValid, hi, selected)
	for k, wi := range wit {
		if wr[k] != ReasonValid {
			s.record(s.rankW[wi], wi, wr[k], wx[k], 0)
			continue
		}
		s.record(s.rankW[wi], wi, ReasonValid, hi, selected)
	}
	c.ok, c.sel = true, uint8(selected)
}

// checkWitness runs the witness checks of iot_verifier/src/poc.rs
// do_witness_verifications (and the loader's timing rule) in order, up to but
// excluding reciprocity.
func (s *scorer) checkWitness(b *Beacon, bhi, bdev int32, e Entropy, wi, a int32, ref addrRef, limit int64, stamp int32, seen []int32) (Reason, string) {
	p := &s.p
	received, freq, signal := s.w.received[wi], s.w.frequencyHz[wi], s.w.signalDdBm[wi]
	if seen[a] == stamp {
		return ReasonDuplicate, "second witness by this device of the beacon"
	}
	seen[a] = stamp
	whi := ref.hot
	if whi < 0 {
		return ReasonUnknownDevice, "device not registered"
	}
	wst := s.site(whi)
	if !wst.asserted {
		return ReasonNotAsserted, assertedDetail(s.in.Hotspots[whi].Cell)
	}
	if wst.denied {
		return ReasonDenied, "device is denylisted"
	}
	if ref.dev == bdev {
		return ReasonSelfWitness, "device witnessed its own beacon"
	}
	if received < e.Time || received-e.Time > int64(p.EntropyLifespanNs) {
		return ReasonEntropyExpired, fmt.Sprintf("received %d ns after entropy, window %d ns", received-e.Time, p.EntropyLifespanNs)
	}
	if received >= s.in.End {
		return ReasonAfterPublic, fmt.Sprintf("received %d ns after the epoch's receive window closed, when the beacon could be public", received-s.in.End)
	}
	if received > limit {
		return ReasonTooLate, fmt.Sprintf("received %d ns after the limit", received-limit)
	}
	if wst.dataOnly {
		return ReasonInvalidCapability, "data-only device"
	}
	if diff := absDiff(b.FrequencyHz, freq); diff > p.MaxFrequencyDeltaHz {
		return ReasonInvalidFrequency, fmt.Sprintf("%d Hz from the beacon, limit %d Hz", diff, p.MaxFrequencyDeltaHz)
	}
	bst := s.site(bhi)
	if wst.region != bst.region {
		return ReasonInvalidRegion, fmt.Sprintf("witness region %s, beaconer region %s", wst.region, bst.region)
	}
	if bst.parent == 0 || wst.parent == 0 {
		return ReasonBelowMinDistance, fmt.Sprintf("no resolution-%d parent", p.CellDistanceRes)
	}
	gd, err := s.g.GridDistance(bst.parent, wst.parent)
	if err != nil {
		return ReasonBelowMinDistance, "grid distance not computable"
	}
	if gd < int64(p.MinCellDistance) {
		return ReasonBelowMinDistance, fmt.Sprintf("grid distance %d, minimum %d", gd, p.MinCellDistance)
	}
	if bst.centerErr || wst.centerErr {
		return ReasonMaxDistance, "cell centre not computable"
	}
	dist := distanceM(bst.pt, wst.pt)
	if dist/1000 > p.MaxDistanceKm {
		return ReasonMaxDistance, fmt.Sprintf("%d m, limit %d km", dist, p.MaxDistanceKm)
	}
	if !s.logs.rssiPlausible(signal, freq, b.TxPowerDBm, bst.gain, wst.gain, dist) {
		return ReasonRSSIAboveFSPL, fmt.Sprintf("signal %d ddBm at %d m exceeds the free-space bound", signal, dist)
	}
	return ReasonValid, ""
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
