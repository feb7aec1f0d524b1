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
	// Results go straight to their place in the sorted output: beacons
	// (RoleBeaconer) first, each role by id. Witnesses are never sorted in
	// receive order as a whole: only each beacon's list is (below).
	posB := make([]int32, len(border)) // receive-order position by input index
	for pos, bi := range border {
		posB[bi] = int32(pos)
	}
	rankB, repB, tiesB := idRanks(&s.kb, len(border), func(i int32) *[32]byte { return &in.Beacons[i].ID },
		func(a, b int32) int { return cmp.Compare(posB[a], posB[b]) })
	rankW, repW, tiesW := idRanks(&s.kb, w.Len(), func(i int32) *[32]byte { return &w.id[i] }, s.witnessBefore)
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

	// Beacons are grouped by their beaconers' hotspots (precheck.go): the
	// j-th in that order is input beacon order[j], and beacon bi is at
	// jOf[bi].
	order, jOf := s.hotspotOrder()

	// Attach witnesses to beacons (by hotspot-order position j); report
	// orphans and repeated ids now. No step depends on the order, so the
	// witnesses are read in input order, one pass through memory, and only
	// each beacon's list is then put in receive order.
	owner := make([]int32, w.Len()) // by input index
	counts := make([]int32, len(border)+1)
	// A beacon's witnesses often follow one another in the input: the
	// match of the last witness is reused for the next that names the same
	// beaconer (interned address) and payload (deduplicated).
	lastB, lastP, lastBi := int32(-1), int32(-1), int32(-1)
	for wi := range w.Len() {
		owner[wi] = -1
		if repW[wi] {
			s.witnessResult(int32(wi), ReasonDuplicate, "report id seen before")
			continue
		}
		beaconer := w.beaconer[wi] // its group in bm
		var bi int32
		if w.beaconer[wi] == lastB && w.payload[wi] == lastP {
			bi = lastBi
		} else {
			bi = bm.first(beaconer, w.payloadOf(int32(wi)))
			lastB, lastP, lastBi = w.beaconer[wi], w.payload[wi], bi
		}
		if bi < 0 {
			if bm.any(beaconer) {
				s.witnessResult(int32(wi), ReasonInvalidPacket, "payload matches no beacon of the beaconer")
			} else {
				s.witnessResult(int32(wi), ReasonUnknownBeacon, "beaconer sent no beacon")
			}
			continue
		}
		j := jOf[bi]
		owner[wi] = j
		counts[j+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	attached := make([]int32, counts[len(counts)-1])
	fill := slices.Clone(counts[:len(border)])
	for wi, j := range owner {
		if j >= 0 {
			attached[fill[j]] = int32(wi)
			fill[j]++
		}
	}
	for j := range len(counts) - 1 {
		s.sortWitnesses(attached[counts[j]:counts[j+1]])
	}

	// The checks that depend only on the report and the registry run
	// first, beacon by beacon in the order of their devices' hotspots, so
	// that the records they read sit close together (precheck.go); the
	// checks that depend on what earlier reports did then run in receive
	// order.
	repeat := bm.repeat
	s.precheck(order, attached, counts, repB, repeat)
	s.sites = nil
	// Where each beacon's verdict and witnesses are, by receive-order
	// position: written in hotspot order (scattered stores, which do not
	// wait), so that the receive-order pass reads them in sequence.
	type place struct{ j, k0, k1 int32 }
	at := make([]place, len(border))
	for j, bi := range order {
		at[posB[bi]] = place{int32(j), counts[j], counts[j+1]}
	}
	posB = nil
	for pos, bi := range border {
		p := at[pos]
		wit := attached[p.k0:p.k1]
		switch {
		case repB[bi]:
			s.invalidBeacon(bi, wit, ReasonDuplicate, s.detail("report id seen before"))
		case repeat[bi]:
			s.invalidBeacon(bi, wit, ReasonDuplicate, s.detail("same payload as an earlier beacon"))
		default:
			s.beacon(bi, &s.checks[p.j], wit, s.wr[p.k0:p.k1], s.wx[p.k0:p.k1])
		}
	}
	s.rankB, s.rankW = nil, nil
	s.settle(counts)
	s.checks, s.wr, s.wx = nil, nil, nil
}

// witnessBefore compares witnesses a and b in receive order (by
// compareWitnesses, then by input index, so that no two compare equal),
// reading the full reports only when the receive times and ids tie.
func (s *scorer) witnessBefore(a, b int32) int {
	w := s.w
	if c := cmp.Compare(w.received[a], w.received[b]); c != 0 {
		return c
	}
	if c := bytes.Compare(w.id[a][:], w.id[b][:]); c != 0 {
		return c
	}
	wa, wb := w.At(int(a)), w.At(int(b))
	return cmp.Or(compareWitnesses(&wa, &wb), cmp.Compare(a, b))
}

// sortWitnesses puts one beacon's witnesses in receive order. No two of
// them are identical (a repeated id is never attached), so the order is
// that of sorting all witnesses by compareWitnesses, restricted to these.
// A beacon's few witnesses are sorted by insertion; a long list by
// slices.SortFunc, so no input makes it quadratic.
func (s *scorer) sortWitnesses(wit []int32) {
	if len(wit) > 16 {
		slices.SortFunc(wit, s.witnessBefore)
		return
	}
	for k := 1; k < len(wit); k++ {
		for j := k; j > 0 && s.witnessBefore(wit[j-1], wit[j]) > 0; j-- {
			wit[j-1], wit[j] = wit[j], wit[j-1]
		}
	}
}

// beaconMatch finds the beacon a witness names: the first, in receive order,
// with the named beaconer and the same payload (its input index). Beacons are
// grouped by device, with copies of their payloads laid out in the same
// order, so a lookup reads one short stretch of memory instead of chasing
// each beacon's payload. A device a witness names is the group of its
// interned address in the witnesses' columns (so the witnesses, in input
// order, look up groups in about that order too, where device ids, in
// address order, would send each lookup to a random place); any other
// device, whose beacons no witness can match, is group len(addrs) + its
// device id. A device's few beacons are scanned; a device with many gets a
// payload index of its own, so no input makes matching quadratic.
type beaconMatch struct {
	start   []int32 // by group: its beacons are entries[start[g]:start[g+1]]
	entries []beaconEntry
	arena   []byte // the payloads, in entry order
	heavy   map[int32]map[string]int32
	// repeat[bi] is true when an earlier beacon (in receive order) of the
	// same device has the same payload as input beacon bi.
	repeat []bool
}

// beaconEntry is one beacon: its input index and its payload in the arena.
type beaconEntry struct {
	bi  int32
	off int
}

// beaconScanMax is the most beacons of one device matched by scanning.
const beaconScanMax = 8

func (s *scorer) beaconsByDevice(border []int32) *beaconMatch {
	na := len(s.w.addrs)
	group := make([]int32, len(s.devs)) // by device id
	for d := range group {
		group[d] = int32(na + d)
	}
	for a, r := range s.addrRef {
		group[r.dev] = int32(a)
	}
	groups := na + len(s.devs)
	m := &beaconMatch{start: make([]int32, groups+1), entries: make([]beaconEntry, len(border))}
	for _, bi := range border {
		m.start[group[s.beaconRef[bi].dev]+1]++
	}
	for g := 1; g < len(m.start); g++ {
		m.start[g] += m.start[g-1]
	}
	fill := slices.Clone(m.start[:groups])
	size := 0
	for _, bi := range border {
		g := group[s.beaconRef[bi].dev]
		m.entries[fill[g]] = beaconEntry{bi: bi}
		fill[g]++
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
	for g := range groups {
		lo, hi := m.start[g], m.start[g+1]
		if hi-lo <= beaconScanMax {
			for k := lo + 1; k < hi; k++ {
				for j := lo; j < k; j++ {
					if bytes.Equal(m.payload(j), m.payload(k)) {
						m.repeat[m.entries[k].bi] = true
						break
					}
				}
			}
			continue
		}
		seen := make(map[string]struct{}, hi-lo)
		for k := lo; k < hi; k++ {
			if _, ok := seen[string(m.payload(k))]; ok {
				m.repeat[m.entries[k].bi] = true
			}
			seen[string(m.payload(k))] = struct{}{}
		}
	}
	return m
}

// any says whether group g has a beacon.
func (m *beaconMatch) any(g int32) bool { return m.start[g+1] > m.start[g] }

// payload returns entry k's payload.
func (m *beaconMatch) payload(k int32) []byte {
	end := len(m.arena)
	if int(k)+1 < len(m.entries) {
		end = m.entries[k+1].off
	}
	return m.arena[m.entries[k].off:end]
}

// first returns the input index of the first beacon (in receive order) of
// group g with this payload, or -1.
func (m *beaconMatch) first(g int32, payload []byte) int32 {
	lo, hi := m.start[g], m.start[g+1]
	if hi-lo <= beaconScanMax {
		for k := lo; k < hi; k++ {
			if bytes.Equal(m.payload(k), payload) {
				return m.entries[k].bi
			}
		}
		return -1
	}
	idx, ok := m.heavy[g]
	if !ok {
		if m.heavy == nil {
			m.heavy = make(map[int32]map[string]int32)
		}
		idx = make(map[string]int32, hi-lo)
		for k := lo; k < hi; k++ {
			if _, seen := idx[string(m.payload(k))]; !seen {
				idx[string(m.payload(k))] = m.entries[k].bi
			}
		}
		m.heavy[g] = idx
	}
	if p, ok := idx[string(payload)]; ok {
		return p
	}
	return -1
}

// invalidBeacon records an invalid beacon (x: its detail's index) and
// marks its witnesses.
func (s *scorer) invalidBeacon(bi int32, wit []int32, reason Reason, x int32) {
	s.record(s.rankB[bi], bi, reason, x, 0)
	if len(wit) == 0 {
		return
	}
	wd := s.detail("beacon: " + reason.String())
	for _, wi := range wit {
		s.record(s.rankW[wi], wi, ReasonBeaconInvalid, wd, 0)
	}
}

func (s *scorer) witnessResult(wi int32, reason Reason, detail string) {
	s.record(s.rankW[wi], wi, reason, s.detail(detail), 0)
}

// checkBeacon runs the beacon checks of iot_verifier/src/poc.rs
// do_beacon_verifications in order, up to but excluding reciprocity, except
// the interval check, which depends on the device's earlier beacons: late
// says whether the failed check comes after it (the packet checks) or
// before.
func (s *scorer) checkBeacon(b *Beacon, hi int32) (e Entropy, reason Reason, detail string, late bool) {
	p := &s.p
	if b.Received < s.in.Start || b.Received >= s.in.End {
		return e, ReasonOutsideEpoch, fmt.Sprintf("received %d outside [%d, %d)", b.Received, s.in.Start, s.in.End), false
	}
	if hi < 0 {
		return e, ReasonUnknownDevice, "device not registered", false
	}
	h := &s.in.Hotspots[hi]
	if st := s.site(hi); !st.asserted {
		return e, ReasonNotAsserted, assertedDetail(h.Cell), false
	}
	if h.Denied {
		return e, ReasonDenied, "device is denylisted", false
	}
	e, ok := s.entropy[b.EntropyHeight]
	if !ok || e.Hash != b.EntropyHash {
		return e, ReasonUnknownEntropy, fmt.Sprintf("no entropy %x at height %d", b.EntropyHash[:4], b.EntropyHeight), false
	}
	if b.Received < e.Time || b.Received-e.Time > int64(p.EntropyLifespanNs) {
		return e, ReasonEntropyExpired, fmt.Sprintf("received %d ns after entropy, window %d ns", b.Received-e.Time, p.EntropyLifespanNs), false
	}
	if h.DataOnly {
		return e, ReasonInvalidCapability, "data-only device", false
	}
	if r, d := checkPacket(b, h); r != ReasonValid {
		return e, r, d, true
	}
	return e, ReasonValid, "", false
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
