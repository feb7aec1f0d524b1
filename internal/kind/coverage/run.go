package coverage

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
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

func (s *scorer) run() {
	in := s.in
	border := sortByReceived(&s.kb, len(in.Beacons), func(i int32) int64 { return in.Beacons[i].Received },
		func(i int32) *[32]byte { return &in.Beacons[i].ID },
		func(a, b int32) int { return compareBeacons(&in.Beacons[a], &in.Beacons[b]) })
	w := s.w
	word := sortByReceived(&s.kb, w.Len(), func(i int32) int64 { return w.received[i] },
		func(i int32) *[32]byte { return &w.id[i] },
		func(a, b int32) int {
			wa, wb := w.At(int(a)), w.At(int(b))
			return compareWitnesses(&wa, &wb)
		})
	// Results go straight to their place in the sorted output: beacons
	// (RoleBeaconer) first, each role by id.
	rankB, repB, tiesB := idRanks(&s.kb, len(border), func(i int32) *[32]byte { return &in.Beacons[i].ID }, border)
	rankW, repW, tiesW := idRanks(&s.kb, len(word), func(i int32) *[32]byte { return &w.id[i] }, word)
	// The sorts are done: their key buffers go before the beacon index and
	// the results come, so that the three are never held at once.
	s.kb = keyBuf{}
	bm := s.beaconsByDevice(border)
	s.allocResults()
	for i := range rankW {
		rankW[i] += int32(len(border))
	}
	s.rankB, s.rankW = rankB, rankW
	for _, t := range tiesW {
		s.ties = append(s.ties, [2]int32{t[0] + int32(len(border)), t[1] + int32(len(border))})
	}
	s.ties = append(s.ties, tiesB...)

	// Attach witnesses to beacons (by sorted position); report orphans and
	// repeated ids now. No step depends on the order, so the witnesses are
	// read in input order, one pass through memory, and only their
	// positions are then put in receive order.
	owner := make([]int32, len(word)) // by input index
	counts := make([]int32, len(border)+1)
	for wi := range w.Len() {
		owner[wi] = -1
		if repW[wi] {
			s.witnessResult(int32(wi), ReasonDuplicate, "report id seen before")
			continue
		}
		beaconer := s.addrRef[w.beaconer[wi]].dev
		pos := bm.first(beaconer, w.payloadOf(int32(wi)))
		if pos < 0 {
			if bm.any(beaconer) {
				s.witnessResult(int32(wi), ReasonInvalidPacket, "payload matches no beacon of the beaconer")
			} else {
				s.witnessResult(int32(wi), ReasonUnknownBeacon, "beaconer sent no beacon")
			}
			continue
		}
		owner[wi] = pos
		counts[pos+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	attached := make([]int32, counts[len(counts)-1])
	fill := slices.Clone(counts[:len(border)])
	for _, wi := range word {
		if pos := owner[wi]; pos >= 0 {
			attached[fill[pos]] = wi
			fill[pos]++
		}
	}

	ws := witnessScratch{stamp: make([]int32, len(s.devs))}
	for pos, bi := range border {
		wit := attached[counts[pos]:counts[pos+1]]
		reason, detail := ReasonValid, ""
		if repB[bi] {
			reason, detail = ReasonDuplicate, "report id seen before"
		}
		if reason == ReasonValid && bm.repeat[pos] {
			reason, detail = ReasonDuplicate, "same payload as an earlier beacon"
		}
		if reason != ReasonValid {
			s.invalidBeacon(bi, wit, reason, detail)
			continue
		}
		s.warm(bi, wit, ws.stamp)
		s.beacon(int32(pos), bi, wit, &ws)
	}
}

// warm reads, in one tight loop of independent loads, the per-hotspot and
// per-device records that the checks of a beacon and its witnesses read one
// after the other. Beacons come in receive order, so these records are
// scattered; from about 100k hotspots they no longer fit the cache, and a
// check that waits for each miss in turn spends most of its time waiting.
// Issued together, the misses overlap. It changes no state: the values go
// to a sink.
func (s *scorer) warm(bi int32, wit []int32, stamp []int32) {
	var sum int64
	if hi := s.beaconRef[bi].hot; hi >= 0 {
		sum = s.tally[hi].LastWitness + int64(s.sites[hi].gain)
	}
	for _, wi := range wit {
		a := s.w.device[wi]
		d := s.addrRef[a]
		sum += int64(stamp[d.dev]) + int64(s.w.addrs[a][0])
		if d.hot >= 0 {
			sum += s.tally[d.hot].LastBeaconRecip + int64(s.sites[d.hot].gain)
		}
	}
	s.sink += sum
}

// beaconMatch finds the beacon a witness names: the first, in receive order,
// with the named beaconer and the same payload. Beacons are grouped by
// device id, with copies of their payloads laid out in the same order, so a
// lookup reads one short stretch of memory instead of chasing each beacon's
// payload. A device's few beacons are scanned; a device with many gets a
// payload index of its own, so no input makes matching quadratic.
type beaconMatch struct {
	start   []int32 // by device id: its beacons are entries[start[d]:start[d+1]]
	entries []beaconEntry
	arena   []byte // the payloads, in entry order
	heavy   map[int32]map[string]int32
	// repeat[pos] is true when an earlier beacon (in receive order) of the
	// same device has the same payload.
	repeat []bool
}

// beaconEntry is one beacon: its receive-order position and its payload in
// the arena.
type beaconEntry struct {
	pos int32
	bi  int32
	off int
}

// beaconScanMax is the most beacons of one device matched by scanning.
const beaconScanMax = 8

func (s *scorer) beaconsByDevice(border []int32) *beaconMatch {
	m := &beaconMatch{start: make([]int32, len(s.devs)+1), entries: make([]beaconEntry, len(border))}
	for _, bi := range border {
		m.start[s.beaconRef[bi].dev+1]++
	}
	for d := 1; d < len(m.start); d++ {
		m.start[d] += m.start[d-1]
	}
	fill := slices.Clone(m.start[:len(s.devs)])
	size := 0
	for p, bi := range border {
		d := s.beaconRef[bi].dev
		m.entries[fill[d]] = beaconEntry{pos: int32(p), bi: bi}
		fill[d]++
		size += len(s.in.Beacons[bi].Payload)
	}
	m.arena = make([]byte, 0, size)
	for k := range m.entries {
		e := &m.entries[k]
		e.off = len(m.arena)
		m.arena = append(m.arena, s.in.Beacons[e.bi].Payload...)
	}
	// Repeated payloads, device by device, while the arena is read in
	// order: the beacon loop then reads one flag in receive order.
	m.repeat = make([]bool, len(border))
	for d := range s.devs {
		lo, hi := m.start[d], m.start[d+1]
		if hi-lo <= beaconScanMax {
			for k := lo + 1; k < hi; k++ {
				for j := lo; j < k; j++ {
					if bytes.Equal(m.payload(j), m.payload(k)) {
						m.repeat[m.entries[k].pos] = true
						break
					}
				}
			}
			continue
		}
		seen := make(map[string]struct{}, hi-lo)
		for k := lo; k < hi; k++ {
			if _, ok := seen[string(m.payload(k))]; ok {
				m.repeat[m.entries[k].pos] = true
			}
			seen[string(m.payload(k))] = struct{}{}
		}
	}
	return m
}

func (m *beaconMatch) any(dev int32) bool { return m.start[dev+1] > m.start[dev] }

// payload returns entry k's payload.
func (m *beaconMatch) payload(k int32) []byte {
	end := len(m.arena)
	if int(k)+1 < len(m.entries) {
		end = m.entries[k+1].off
	}
	return m.arena[m.entries[k].off:end]
}

// first returns the receive-order position of dev's first beacon with this
// payload, or -1.
func (m *beaconMatch) first(dev int32, payload []byte) int32 {
	lo, hi := m.start[dev], m.start[dev+1]
	if hi-lo <= beaconScanMax {
		for k := lo; k < hi; k++ {
			if bytes.Equal(m.payload(k), payload) {
				return m.entries[k].pos
			}
		}
		return -1
	}
	idx, ok := m.heavy[dev]
	if !ok {
		if m.heavy == nil {
			m.heavy = make(map[int32]map[string]int32)
		}
		idx = make(map[string]int32, hi-lo)
		for k := lo; k < hi; k++ {
			if _, seen := idx[string(m.payload(k))]; !seen {
				idx[string(m.payload(k))] = m.entries[k].pos
			}
		}
		m.heavy[dev] = idx
	}
	if p, ok := idx[string(payload)]; ok {
		return p
	}
	return -1
}

// invalidBeacon records an invalid beacon and marks its witnesses.
func (s *scorer) invalidBeacon(bi int32, wit []int32, reason Reason, detail string) {
	s.record(s.rankB[bi], bi, reason, detail, -1, 0)
	wd := "beacon: " + reason.String()
	for _, wi := range wit {
		s.witnessResult(wi, ReasonBeaconInvalid, wd)
	}
}

func (s *scorer) witnessResult(wi int32, reason Reason, detail string) {
	s.record(s.rankW[wi], wi, reason, detail, -1, 0)
}

// checkBeacon runs the beacon checks of iot_verifier/src/poc.rs
// do_beacon_verifications in order, up to but excluding reciprocity.
func (s *scorer) checkBeacon(b *Beacon, hi int32) (e Entropy, reason Reason, detail string) {
	p := &s.p
	if b.Received < s.in.Start || b.Received >= s.in.End {
		return e, ReasonOutsideEpoch, fmt.Sprintf("received %d outside [%d, %d)", b.Received, s.in.Start, s.in.End)
	}
	if hi < 0 {
		return e, ReasonUnknownDevice, "device not registered"
	}
	h := &s.in.Hotspots[hi]
	if st := s.site(hi); !st.asserted {
		return e, ReasonNotAsserted, assertedDetail(h.Cell)
	}
	if h.Denied {
		return e, ReasonDenied, "device is denylisted"
	}
	e, ok := s.entropy[b.EntropyHeight]
	if !ok || e.Hash != b.EntropyHash {
		return e, ReasonUnknownEntropy, fmt.Sprintf("no entropy %x at height %d", b.EntropyHash[:4], b.EntropyHeight)
	}
	if b.Received < e.Time || b.Received-e.Time > int64(p.EntropyLifespanNs) {
		return e, ReasonEntropyExpired, fmt.Sprintf("received %d ns after entropy, window %d ns", b.Received-e.Time, p.EntropyLifespanNs)
	}
	if h.DataOnly {
		return e, ReasonInvalidCapability, "data-only device"
	}
	if last := s.tally[hi].LastBeacon; last != 0 && floorDiv(last, int64(p.BeaconIntervalNs)) == floorDiv(b.Received, int64(p.BeaconIntervalNs)) {
		return e, ReasonIrregularInterval, fmt.Sprintf("already beaconed at %d in this %d ns interval", last, p.BeaconIntervalNs)
	}
	if r, d := checkPacket(b, h); r != ReasonValid {
		return e, r, d
	}
	return e, ReasonValid, ""
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
