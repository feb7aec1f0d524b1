package coverage

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/ledger"
)

// Reports are processed in receive order (ties broken by every other field),
// so that any permutation of the input gives the same result and HIP-106
// activity flows forward in time.

func compareBeacons(a, b *Beacon) int {
	return cmp.Or(
		cmp.Compare(a.Received, b.Received),
		bytes.Compare(a.ID[:], b.ID[:]),
		bytes.Compare(a.Device[:], b.Device[:]),
		cmp.Compare(a.EntropyHeight, b.EntropyHeight),
		bytes.Compare(a.EntropyHash[:], b.EntropyHash[:]),
		bytes.Compare(a.LocalEntropy, b.LocalEntropy),
		bytes.Compare(a.Payload, b.Payload),
		cmp.Compare(a.FrequencyHz, b.FrequencyHz),
		cmp.Compare(a.TxPowerDBm, b.TxPowerDBm),
		cmp.Compare(a.Region, b.Region),
		cmp.Compare(a.Timestamp, b.Timestamp),
	)
}

func compareWitnesses(a, b *Witness) int {
	return cmp.Or(
		cmp.Compare(a.Received, b.Received),
		bytes.Compare(a.ID[:], b.ID[:]),
		bytes.Compare(a.Device[:], b.Device[:]),
		bytes.Compare(a.Beaconer[:], b.Beaconer[:]),
		bytes.Compare(a.Payload, b.Payload),
		cmp.Compare(a.FrequencyHz, b.FrequencyHz),
		cmp.Compare(a.SignalDdBm, b.SignalDdBm),
		cmp.Compare(a.SNRcB, b.SNRcB),
		cmp.Compare(a.Timestamp, b.Timestamp),
	)
}

// beaconKey identifies a beacon by its beaconer and payload, which is how
// witnesses name the beacon they heard (helium matches on packet data,
// iot_verifier/src/poc_report.rs get_witnesses_for_beacon).
func beaconKey(buf []byte, dev ledger.Address, payload []byte) []byte {
	buf = append(buf[:0], dev[:]...)
	return append(buf, payload...)
}

func (s *scorer) run() {
	in := s.in
	border := sortByReceived(len(in.Beacons), func(i int32) int64 { return in.Beacons[i].Received },
		func(a, b int32) int { return compareBeacons(&in.Beacons[a], &in.Beacons[b]) })
	word := sortByReceived(len(in.Witnesses), func(i int32) int64 { return in.Witnesses[i].Received },
		func(a, b int32) int { return compareWitnesses(&in.Witnesses[a], &in.Witnesses[b]) })

	// Index beacons by key; the first in order owns the key.
	byKey := make(map[string]int32, len(border))
	hasBeacon := make(map[ledger.Address]struct{}, len(border))
	var buf []byte
	for pos, bi := range border {
		b := &in.Beacons[bi]
		hasBeacon[b.Device] = struct{}{}
		buf = beaconKey(buf, b.Device, b.Payload)
		if _, ok := byKey[string(buf)]; !ok {
			byKey[string(buf)] = int32(pos)
		}
	}

	// Attach witnesses to beacons (by sorted position); report orphans and
	// repeated ids now.
	owner := make([]int32, len(word))
	counts := make([]int32, len(border)+1)
	seenW := make(map[[32]byte]struct{}, len(word))
	for k, wi := range word {
		w := &in.Witnesses[wi]
		owner[k] = -1
		if _, dup := seenW[w.ID]; dup {
			s.witnessResult(w, ReasonDuplicate, "report id seen before")
			continue
		}
		seenW[w.ID] = struct{}{}
		buf = beaconKey(buf, w.Beaconer, w.Payload)
		pos, ok := byKey[string(buf)]
		if !ok {
			if _, any := hasBeacon[w.Beaconer]; any {
				s.witnessResult(w, ReasonInvalidPacket, "payload matches no beacon of the beaconer")
			} else {
				s.witnessResult(w, ReasonUnknownBeacon, "beaconer sent no beacon")
			}
			continue
		}
		owner[k] = pos
		counts[pos+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	attached := make([]int32, counts[len(counts)-1])
	fill := slices.Clone(counts[:len(border)])
	for k, wi := range word {
		if pos := owner[k]; pos >= 0 {
			attached[fill[pos]] = wi
			fill[pos]++
		}
	}

	seenB := make(map[[32]byte]struct{}, len(border))
	var ws witnessScratch
	for pos, bi := range border {
		b := &in.Beacons[bi]
		wit := attached[counts[pos]:counts[pos+1]]
		reason, detail := ReasonValid, ""
		if _, dup := seenB[b.ID]; dup {
			reason, detail = ReasonDuplicate, "report id seen before"
		}
		seenB[b.ID] = struct{}{}
		if reason == ReasonValid {
			buf = beaconKey(buf, b.Device, b.Payload)
			if byKey[string(buf)] != int32(pos) {
				reason, detail = ReasonDuplicate, "same payload as an earlier beacon"
			}
		}
		if reason != ReasonValid {
			s.invalidBeacon(b, wit, reason, detail)
			continue
		}
		s.beacon(b, wit, &ws)
	}
}

// invalidBeacon records an invalid beacon and marks its witnesses.
func (s *scorer) invalidBeacon(b *Beacon, wit []int32, reason Reason, detail string) {
	s.record(ReportResult{ID: b.ID, Device: b.Device, Role: RoleBeaconer, Reason: reason, Detail: detail})
	wd := "beacon: " + reason.String()
	for _, wi := range wit {
		s.witnessResult(&s.in.Witnesses[wi], ReasonBeaconInvalid, wd)
	}
}

func (s *scorer) witnessResult(w *Witness, reason Reason, detail string) {
	s.record(ReportResult{ID: w.ID, Device: w.Device, Role: RoleWitness, Reason: reason, Detail: detail})
}

// checkBeacon runs the beacon checks of iot_verifier/src/poc.rs
// do_beacon_verifications in order, up to but excluding reciprocity.
func (s *scorer) checkBeacon(b *Beacon) (hi int32, e Entropy, reason Reason, detail string) {
	p := &s.p
	if b.Received < s.in.Start || b.Received >= s.in.End {
		return -1, e, ReasonOutsideEpoch, fmt.Sprintf("received %d outside [%d, %d)", b.Received, s.in.Start, s.in.End)
	}
	hi, ok := s.hot[b.Device]
	if !ok {
		return -1, e, ReasonUnknownDevice, "device not registered"
	}
	h := &s.in.Hotspots[hi]
	if st := s.site(hi); !st.asserted {
		return hi, e, ReasonNotAsserted, assertedDetail(h.Cell)
	}
	if h.Denied {
		return hi, e, ReasonDenied, "device is denylisted"
	}
	e, ok = s.entropy[b.EntropyHeight]
	if !ok || e.Hash != b.EntropyHash {
		return hi, e, ReasonUnknownEntropy, fmt.Sprintf("no entropy %x at height %d", b.EntropyHash[:4], b.EntropyHeight)
	}
	if b.Received < e.Time || b.Received-e.Time > int64(p.EntropyLifespanNs) {
		return hi, e, ReasonEntropyExpired, fmt.Sprintf("received %d ns after entropy, window %d ns", b.Received-e.Time, p.EntropyLifespanNs)
	}
	if h.DataOnly {
		return hi, e, ReasonInvalidCapability, "data-only device"
	}
	if ai, ok := s.actIdx[b.Device]; ok {
		last := s.act[ai].LastBeacon
		if last != 0 && floorDiv(last, int64(p.BeaconIntervalNs)) == floorDiv(b.Received, int64(p.BeaconIntervalNs)) {
			return hi, e, ReasonIrregularInterval, fmt.Sprintf("already beaconed at %d in this %d ns interval", last, p.BeaconIntervalNs)
		}
	}
	if r, d := checkPacket(b, h); r != ReasonValid {
		return hi, e, r, d
	}
	return hi, e, ReasonValid, ""
}

// checkPacket compares the beacon with the one regenerated from its entropy
// (verify_beacon_payload): region, payload, channel and transmit power.
func checkPacket(b *Beacon, h *Hotspot) (Reason, string) {
	if b.Region != h.Region {
		return ReasonInvalidPacket, fmt.Sprintf("region %s, registered %s", b.Region, h.Region)
	}
	plan, ok := h.Region.Plan()
	if !ok {
		return ReasonInvalidPacket, fmt.Sprintf("no channel plan for region %s", h.Region)
	}
	want, err := BeaconPayload(b.EntropyHash, b.LocalEntropy, b.Device)
	if err != nil {
		return ReasonInvalidPacket, fmt.Sprintf("local entropy is %d bytes", len(b.LocalEntropy))
	}
	if !bytes.Equal(want, b.Payload) {
		return ReasonInvalidPacket, "payload differs from the regenerated beacon"
	}
	freq, _ := BeaconFrequency(h.Region, want)
	if b.FrequencyHz != freq {
		return ReasonInvalidPacket, fmt.Sprintf("frequency %d Hz, want %d Hz", b.FrequencyHz, freq)
	}
	if b.TxPowerDBm > plan.MaxTxPowerDBm {
		return ReasonInvalidPacket, fmt.Sprintf("tx power %d dBm above the %s maximum %d dBm", b.TxPowerDBm, plan.Name, plan.MaxTxPowerDBm)
	}
	return ReasonValid, ""
}

func assertedDetail(cell uint64) string {
	if cell == 0 {
		return "no asserted location"
	}
	return fmt.Sprintf("asserted cell %x is not a valid h3 cell", cell)
}

// floorDiv divides rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
