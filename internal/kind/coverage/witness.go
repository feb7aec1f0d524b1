package coverage

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
)

// witnessScratch is reused across beacons to avoid allocation per beacon.
type witnessScratch struct {
	reason []Reason
	detail []string
	// stamp[device id] is 1 + the position of the last beacon the device
	// was seen witnessing: a set of a beacon's witnesses that needs no
	// clearing between beacons.
	stamp []int32
}

// beacon scores the beacon at receive-order position pos, input index bi,
// and its attached witnesses (in receive order).
func (s *scorer) beacon(pos, bi int32, wit []int32, ws *witnessScratch) {
	b := &s.in.Beacons[bi]
	hi := s.beaconRef[bi].hot
	e, reason, detail := s.checkBeacon(b, hi)
	if reason != ReasonValid {
		s.invalidBeacon(bi, wit, reason, detail)
		return
	}
	// The beacon took its interval bucket.
	s.tally[hi].LastBeacon = b.Received

	// Witness checks up to reciprocity (do_witness_verifications).
	ws.reason = ws.reason[:0]
	ws.detail = ws.detail[:0]
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
	anyPassed := false
	for _, wi := range wit {
		ref := s.witRef(wi)
		r, d := s.checkWitness(b, hi, e, wi, ref, limit, pos+1, ws.stamp)
		ws.reason = append(ws.reason, r)
		ws.detail = append(ws.detail, d)
		if r == ReasonValid {
			anyPassed = true
			// HIP-106 bootstrap: a witness that passes every other check
			// counts as the witness's activity even if reciprocity fails
			// on either side.
			a := &s.tally[ref.hot]
			a.LastWitness = max(a.LastWitness, s.w.received[wi])
		}
	}

	// HIP-106 beacon side: the beaconer must have witnessed within the
	// window (verify_beacon_reciprocity, iot_verifier/src/runner.rs).
	window := int64(s.p.ReciprocityWindowNs)
	if last := s.tally[hi].LastWitness; last == 0 || b.Received-last >= window {
		s.invalidBeacon(bi, wit, ReasonNoValidWitnesses, "no valid witness by the beaconer within the reciprocity window")
		return
	}

	// HIP-106 witness side, then HIP-83 selection of the first by receive
	// time.
	selected := 0
	for k, wi := range wit {
		if ws.reason[k] != ReasonValid {
			continue
		}
		if lb := s.tally[s.witRef(wi).hot].LastBeaconRecip; lb == 0 || s.w.received[wi]-lb >= window {
			ws.reason[k], ws.detail[k] = ReasonNoValidBeacons, "no valid beacon by the witness within the reciprocity window"
			continue
		}
		if uint64(selected) >= s.p.MaxWitnessesPerBeacon {
			ws.reason[k], ws.detail[k] = ReasonNotSelected, fmt.Sprintf("after the first %d valid witnesses", s.p.MaxWitnessesPerBeacon)
			continue
		}
		selected++
	}
	if anyPassed {
		a := &s.tally[hi]
		a.LastBeaconRecip = max(a.LastBeaconRecip, b.Received)
	}

	scale := s.hexScale(hi)
	bu, wu := s.units.beaconer[selected], s.units.witness[selected]
	bshare, _ := ledger.MulDiv(bu, scale, Scale)
	wshare, _ := ledger.MulDiv(wu, scale, Scale)
	s.record(s.rankB[bi], bi, ReasonValid, "", hi, selected)
	sh := &s.tally[hi]
	sh.Beaconer += bshare
	sh.ValidBeacons++
	for k, wi := range wit {
		if ws.reason[k] != ReasonValid {
			s.witnessResult(wi, ws.reason[k], ws.detail[k])
			continue
		}
		s.record(s.rankW[wi], wi, ReasonValid, "", hi, selected)
		whot := s.witRef(wi).hot
		wsh := &s.tally[whot]
		wsh.Witness += wshare
		wsh.ValidWitnesses++
		s.groups.link(hi, whot)
		s.linked[hi], s.linked[whot] = true, true
	}
}

// checkWitness runs the witness checks of iot_verifier/src/poc.rs
// do_witness_verifications (and the loader's timing rule) in order, up to but
// excluding reciprocity.
func (s *scorer) checkWitness(b *Beacon, bhi int32, e Entropy, wi int32, ref witnessRef, limit int64, stamp int32, seen []int32) (Reason, string) {
	p := &s.p
	received, freq, signal := s.w.received[wi], s.w.frequencyHz[wi], s.w.signalDdBm[wi]
	if seen[ref.dev] == stamp {
		return ReasonDuplicate, "second witness by this device of the beacon"
	}
	seen[ref.dev] = stamp
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
	if s.w.addrs[s.w.device[wi]] == b.Device {
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
