package coverage

// This file keeps the scorer as it was before the dense-index rewrite
// (commit 66d8d2d: Go maps keyed by address, id and beacon key; comparison
// sorts), renamed refScore, as the reference the rewritten Score must match
// bit for bit on random fleets (TestScoreMatchesReference). Do not optimise
// it: its value is that it is the old, obviously-correct code.

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"

	"github.com/depin-network/depin/internal/ledger"
)

// refSite is site as it was: the derived geometry of a registered hotspot.
type refSite struct {
	ready     bool
	asserted  bool
	parent    uint64
	density   uint64
	pt        point
	centerErr error
}

// refSortIndices sorts the indices 0..n-1 with cmp, as the scorer did before
// the compact sort keys.
func refSortIndices(n int, cmp func(a, b int32) int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i)
	}
	slices.SortFunc(out, cmp)
	return out
}

// Reports are processed in receive order (ties broken by every other field),
// so that any permutation of the input gives the same result and HIP-106
// activity flows forward in time.

// refBeaconKey identifies a beacon by its beaconer and payload, which is how
// witnesses name the beacon they heard (helium matches on packet data,
// iot_verifier/src/poc_report.rs get_witnesses_for_beacon).
func refBeaconKey(buf []byte, dev ledger.Address, payload []byte) []byte {
	buf = append(buf[:0], dev[:]...)
	return append(buf, payload...)
}

func (s *refScorer) run() {
	in := s.in
	border := refSortIndices(len(in.Beacons), func(a, b int32) int { return compareBeacons(&in.Beacons[a], &in.Beacons[b]) })
	word := refSortIndices(len(in.Witnesses), func(a, b int32) int { return compareWitnesses(&in.Witnesses[a], &in.Witnesses[b]) })

	// Index beacons by key; the first in order owns the key.
	byKey := make(map[string]int32, len(border))
	hasBeacon := make(map[ledger.Address]struct{}, len(border))
	var buf []byte
	for pos, bi := range border {
		b := &in.Beacons[bi]
		hasBeacon[b.Device] = struct{}{}
		buf = refBeaconKey(buf, b.Device, b.Payload)
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
		buf = refBeaconKey(buf, w.Beaconer, w.Payload)
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
	var ws refWitnessScratch
	for pos, bi := range border {
		b := &in.Beacons[bi]
		wit := attached[counts[pos]:counts[pos+1]]
		reason, detail := ReasonValid, ""
		if _, dup := seenB[b.ID]; dup {
			reason, detail = ReasonDuplicate, "report id seen before"
		}
		seenB[b.ID] = struct{}{}
		if reason == ReasonValid {
			buf = refBeaconKey(buf, b.Device, b.Payload)
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
func (s *refScorer) invalidBeacon(b *Beacon, wit []int32, reason Reason, detail string) {
	s.record(ReportResult{ID: b.ID, Device: b.Device, Role: RoleBeaconer, Reason: reason, Detail: detail})
	wd := "beacon: " + reason.String()
	for _, wi := range wit {
		s.witnessResult(&s.in.Witnesses[wi], ReasonBeaconInvalid, wd)
	}
}

func (s *refScorer) witnessResult(w *Witness, reason Reason, detail string) {
	s.record(ReportResult{ID: w.ID, Device: w.Device, Role: RoleWitness, Reason: reason, Detail: detail})
}

// checkBeacon runs the beacon checks of iot_verifier/src/poc.rs
// do_beacon_verifications in order, up to but excluding reciprocity.
func (s *refScorer) checkBeacon(b *Beacon) (hi int32, e Entropy, reason Reason, detail string) {
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

// refScorer holds one Score call's indexes and accumulators.
type refScorer struct {
	in       *Input
	p        Params
	g        Geo
	hot      map[ledger.Address]int32
	sites    []refSite
	entropy  map[uint64]Entropy
	act      []Activity
	actIdx   map[ledger.Address]int32
	units    unitTable
	scales   map[uint64]uint64 // res-11 hex → HIP-17 scale
	interact []bool            // hotspot was interactive at epoch start
	shares   []Share           // per hotspot
	links    [][2]int32        // beaconer and witness hotspot of each valid, selected witness
	reports  []ReportResult
	counts   [3][NumReasons]uint64
}

// Score scores one epoch. See the package documentation for the contract.
func refScore(in Input, g Geo) (Result, error) {
	if g == nil {
		return Result{}, fmt.Errorf("coverage: score: %w: nil geo", ErrInvalidInput)
	}
	if err := in.Params.Validate(); err != nil {
		return Result{}, fmt.Errorf("coverage: score: %w: %w", ErrInvalidInput, err)
	}
	if in.End <= in.Start {
		return Result{}, fmt.Errorf("coverage: score: %w: epoch end %d not after start %d", ErrInvalidInput, in.End, in.Start)
	}
	s := &refScorer{in: &in, p: in.Params, g: g}
	if err := s.index(); err != nil {
		return Result{}, err
	}
	s.units = newUnitTable(s.p)
	s.density()
	s.run()
	return s.result()
}

func (s *refScorer) index() error {
	in := s.in
	s.hot = make(map[ledger.Address]int32, len(in.Hotspots))
	for i, h := range in.Hotspots {
		if _, dup := s.hot[h.Device]; dup {
			return fmt.Errorf("coverage: score: %w: hotspot %s listed twice", ErrInvalidInput, h.Device)
		}
		s.hot[h.Device] = int32(i)
	}
	s.sites = make([]refSite, len(in.Hotspots))
	s.shares = make([]Share, len(in.Hotspots))
	s.entropy = make(map[uint64]Entropy, len(in.Entropy))
	for _, e := range in.Entropy {
		if prev, dup := s.entropy[e.Height]; dup && prev != e {
			return fmt.Errorf("coverage: score: %w: two entropy records at height %d", ErrInvalidInput, e.Height)
		}
		s.entropy[e.Height] = e
	}
	s.act = make([]Activity, 0, len(in.Activity)+len(in.Hotspots))
	s.actIdx = make(map[ledger.Address]int32, cap(s.act))
	for _, a := range in.Activity {
		if _, dup := s.actIdx[a.Device]; dup {
			return fmt.Errorf("coverage: score: %w: activity for %s listed twice", ErrInvalidInput, a.Device)
		}
		s.actIdx[a.Device] = int32(len(s.act))
		s.act = append(s.act, a)
	}
	return nil
}

// activity returns the device's mutable activity record, creating it.
func (s *refScorer) activity(dev ledger.Address) *Activity {
	i, ok := s.actIdx[dev]
	if !ok {
		i = int32(len(s.act))
		s.actIdx[dev] = i
		s.act = append(s.act, Activity{Device: dev})
	}
	return &s.act[i]
}

// site returns the derived geometry of hotspot i.
func (s *refScorer) site(i int32) *refSite {
	st := &s.sites[i]
	if st.ready {
		return st
	}
	st.ready = true
	cell := s.in.Hotspots[i].Cell
	if cell == 0 || !s.g.IsValid(cell) {
		return st
	}
	st.asserted = true
	if par, err := s.g.Parent(cell, int(s.p.CellDistanceRes)); err == nil {
		st.parent = par
	}
	if par, err := s.g.Parent(cell, densityBaseRes); err == nil {
		st.density = par
	}
	lat, lng, err := s.g.CenterE7(cell)
	if err != nil {
		st.centerErr = err
		return st
	}
	st.pt = unitPoint(lat, lng)
	return st
}

// density computes the HIP-17 scales over the hotspots that were interactive
// at the start of the epoch (a reciprocity-valid beacon within the
// interactivity window, iot_verifier/src/tx_scaler.rs).
func (s *refScorer) density() {
	s.interact = make([]bool, len(s.in.Hotspots))
	var cells []uint64
	since := s.in.Start - int64(s.p.InteractivityWindowNs)
	for i, h := range s.in.Hotspots {
		ai, ok := s.actIdx[h.Device]
		if !ok {
			continue
		}
		last := s.act[ai].LastBeaconRecip
		if last == 0 || last < since {
			continue
		}
		st := s.site(int32(i))
		if !st.asserted || st.density == 0 {
			continue
		}
		s.interact[i] = true
		cells = append(cells, st.density)
	}
	s.scales = refHexDensity(s.p, s.g, cells)
}

// hexScale returns the HIP-17 scale of beaconer hotspot i.
func (s *refScorer) hexScale(i int32) uint64 {
	if s.interact[i] {
		if v, ok := s.scales[s.sites[i].density]; ok {
			return v
		}
	}
	return s.p.DefaultHexScale
}

func (s *refScorer) record(r ReportResult) {
	s.reports = append(s.reports, r)
	s.counts[r.Role][r.Reason]++
}

// refIsolated labels the components of the witness links by breadth-first
// search, written independently of component.go: per hotspot, its
// component's size if it is linked and not the largest component (the one
// holding the lowest-ranked hotspot on a tie; the scorer ranks hotspots by
// device address since ad3c8ca), else 0.
func refIsolated(rank []int32, links [][2]int32) []uint32 {
	n := len(rank)
	adj := make([][]int32, n)
	for _, l := range links {
		adj[l[0]] = append(adj[l[0]], l[1])
		adj[l[1]] = append(adj[l[1]], l[0])
	}
	comp := make([]int, n)
	for i := range comp {
		comp[i] = -1
	}
	var sizes []int
	for i := range n {
		if comp[i] >= 0 || len(adj[i]) == 0 {
			continue
		}
		id, queue := len(sizes), []int32{int32(i)}
		comp[i] = id
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for _, u := range adj[v] {
				if comp[u] < 0 {
					comp[u] = id
					queue = append(queue, u)
				}
			}
		}
		size := 0
		for j := range comp {
			if comp[j] == id {
				size++
			}
		}
		sizes = append(sizes, size)
	}
	low := make([]int32, len(sizes)) // per component: its lowest rank
	for i := range low {
		low[i] = -1
	}
	for i := range n {
		if c := comp[i]; c >= 0 && (low[c] < 0 || rank[i] < low[c]) {
			low[c] = rank[i]
		}
	}
	main := -1
	for id, sz := range sizes {
		if main < 0 || sz > sizes[main] || sz == sizes[main] && low[id] < low[main] {
			main = id
		}
	}
	out := make([]uint32, n)
	for i := range n {
		if comp[i] >= 0 && comp[i] != main {
			out[i] = uint32(sizes[comp[i]])
		}
	}
	return out
}

func (s *refScorer) result() (Result, error) {
	res := Result{ScorerVersion: ScorerVersion, Epoch: s.in.Epoch}
	// Hotspots ranked by device address (they are distinct: a repeated
	// hotspot is an error).
	order := make([]int32, len(s.in.Hotspots))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return bytes.Compare(s.in.Hotspots[a].Device[:], s.in.Hotspots[b].Device[:])
	})
	rank := make([]int32, len(order))
	for r, i := range order {
		rank[i] = int32(r)
	}
	isolated := refIsolated(rank, s.links)
	for i := range s.shares {
		sh := s.shares[i]
		sh.IsolatedGroup = isolated[i]
		if sh.Beaconer == 0 && sh.Witness == 0 && sh.ValidBeacons == 0 && sh.ValidWitnesses == 0 {
			continue
		}
		sh.Device, sh.Owner = s.in.Hotspots[i].Device, s.in.Hotspots[i].Owner
		var ok1, ok2 bool
		res.BeaconerShares, ok1 = ledger.Add(res.BeaconerShares, sh.Beaconer)
		res.WitnessShares, ok2 = ledger.Add(res.WitnessShares, sh.Witness)
		if !ok1 || !ok2 {
			return Result{}, fmt.Errorf("coverage: score: %w: share totals overflow", ErrInvalidInput)
		}
		res.Shares = append(res.Shares, sh)
	}
	slices.SortFunc(res.Shares, func(a, b Share) int { return bytes.Compare(a.Device[:], b.Device[:]) })
	slices.SortFunc(s.reports, compareReports)
	res.Reports = ReportsOf(s.reports)
	for _, a := range s.act {
		if a.LastBeacon != 0 || a.LastBeaconRecip != 0 || a.LastWitness != 0 {
			res.Activity = append(res.Activity, a)
		}
	}
	slices.SortFunc(res.Activity, func(a, b Activity) int { return bytes.Compare(a.Device[:], b.Device[:]) })
	for _, role := range []Role{RoleBeaconer, RoleWitness} {
		for r, n := range s.counts[role] {
			if n > 0 {
				res.Counts = append(res.Counts, ReasonCount{Role: role, Reason: Reason(r), Count: n})
			}
		}
	}
	return res, nil
}

// refWitnessScratch is reused across beacons to avoid allocation per beacon.
type refWitnessScratch struct {
	reason  []Reason
	detail  []string
	devices map[ledger.Address]struct{}
}

// beacon scores a beacon and its attached witnesses (in receive order).
func (s *refScorer) beacon(b *Beacon, wit []int32, ws *refWitnessScratch) {
	hi, e, reason, detail := s.checkBeacon(b)
	if reason != ReasonValid {
		s.invalidBeacon(b, wit, reason, detail)
		return
	}
	// The beacon took its interval bucket.
	s.activity(b.Device).LastBeacon = b.Received

	// Witness checks up to reciprocity (do_witness_verifications).
	ws.reason = ws.reason[:0]
	ws.detail = ws.detail[:0]
	if ws.devices == nil {
		ws.devices = make(map[ledger.Address]struct{})
	}
	clear(ws.devices)
	first := b.Received
	if len(wit) > 0 {
		first = s.in.Witnesses[wit[0]].Received
	}
	var limit int64
	if b.Received <= first {
		limit = b.Received + int64(s.p.WitnessDelayNs)
	} else {
		limit = first + int64(s.p.WitnessAfterFirstNs)
	}
	anyPassed := false
	for _, wi := range wit {
		w := &s.in.Witnesses[wi]
		r, d := s.checkWitness(b, hi, e, w, limit, ws.devices)
		ws.reason = append(ws.reason, r)
		ws.detail = append(ws.detail, d)
		if r == ReasonValid {
			anyPassed = true
			// HIP-106 bootstrap: a witness that passes every other check
			// counts as the witness's activity even if reciprocity fails
			// on either side.
			a := s.activity(w.Device)
			a.LastWitness = max(a.LastWitness, w.Received)
		}
	}

	// HIP-106 beacon side: the beaconer must have witnessed within the
	// window (verify_beacon_reciprocity, iot_verifier/src/runner.rs).
	window := int64(s.p.ReciprocityWindowNs)
	last := int64(0)
	if ai, ok := s.actIdx[b.Device]; ok {
		last = s.act[ai].LastWitness
	}
	if last == 0 || b.Received-last >= window {
		s.invalidBeacon(b, wit, ReasonNoValidWitnesses, "no valid witness by the beaconer within the reciprocity window")
		return
	}

	// HIP-106 witness side, then HIP-83 selection of the first by receive
	// time.
	selected := 0
	for k, wi := range wit {
		if ws.reason[k] != ReasonValid {
			continue
		}
		w := &s.in.Witnesses[wi]
		lb := int64(0)
		if ai, ok := s.actIdx[w.Device]; ok {
			lb = s.act[ai].LastBeaconRecip
		}
		if lb == 0 || w.Received-lb >= window {
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
		a := s.activity(b.Device)
		a.LastBeaconRecip = max(a.LastBeaconRecip, b.Received)
	}

	scale := s.hexScale(hi)
	bu, wu := s.units.beaconer[selected], s.units.witness[selected]
	bshare, _ := ledger.MulDiv(bu, scale, Scale)
	wshare, _ := ledger.MulDiv(wu, scale, Scale)
	s.record(ReportResult{ID: b.ID, Device: b.Device, Role: RoleBeaconer, Reason: ReasonValid,
		Units: bu, HexScale: scale, Share: bshare})
	sh := &s.shares[hi]
	sh.Beaconer += bshare
	sh.ValidBeacons++
	for k, wi := range wit {
		w := &s.in.Witnesses[wi]
		if ws.reason[k] != ReasonValid {
			s.witnessResult(w, ws.reason[k], ws.detail[k])
			continue
		}
		s.record(ReportResult{ID: w.ID, Device: w.Device, Role: RoleWitness, Reason: ReasonValid,
			Units: wu, HexScale: scale, Share: wshare})
		wsh := &s.shares[s.hot[w.Device]]
		wsh.Witness += wshare
		wsh.ValidWitnesses++
		s.links = append(s.links, [2]int32{hi, s.hot[w.Device]})
	}
}

// checkWitness runs the witness checks of iot_verifier/src/poc.rs
// do_witness_verifications (and the loader's timing rule) in order, up to but
// excluding reciprocity.
func (s *refScorer) checkWitness(b *Beacon, bhi int32, e Entropy, w *Witness, limit int64, devices map[ledger.Address]struct{}) (Reason, string) {
	p := &s.p
	if _, dup := devices[w.Device]; dup {
		return ReasonDuplicate, "second witness by this device of the beacon"
	}
	devices[w.Device] = struct{}{}
	whi, ok := s.hot[w.Device]
	if !ok {
		return ReasonUnknownDevice, "device not registered"
	}
	wh := &s.in.Hotspots[whi]
	wst := s.site(whi)
	if !wst.asserted {
		return ReasonNotAsserted, assertedDetail(wh.Cell)
	}
	if wh.Denied {
		return ReasonDenied, "device is denylisted"
	}
	if w.Device == b.Device {
		return ReasonSelfWitness, "device witnessed its own beacon"
	}
	if w.Received < e.Time || w.Received-e.Time > int64(p.EntropyLifespanNs) {
		return ReasonEntropyExpired, fmt.Sprintf("received %d ns after entropy, window %d ns", w.Received-e.Time, p.EntropyLifespanNs)
	}
	if w.Received >= s.in.End {
		return ReasonAfterPublic, fmt.Sprintf("received %d ns after the epoch's receive window closed, when the beacon could be public", w.Received-s.in.End)
	}
	if w.Received > limit {
		return ReasonTooLate, fmt.Sprintf("received %d ns after the limit", w.Received-limit)
	}
	if wh.DataOnly {
		return ReasonInvalidCapability, "data-only device"
	}
	if diff := absDiff(b.FrequencyHz, w.FrequencyHz); diff > p.MaxFrequencyDeltaHz {
		return ReasonInvalidFrequency, fmt.Sprintf("%d Hz from the beacon, limit %d Hz", diff, p.MaxFrequencyDeltaHz)
	}
	bh := &s.in.Hotspots[bhi]
	if wh.Region != bh.Region {
		return ReasonInvalidRegion, fmt.Sprintf("witness region %s, beaconer region %s", wh.Region, bh.Region)
	}
	bst := s.site(bhi)
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
	if bst.centerErr != nil || wst.centerErr != nil {
		return ReasonMaxDistance, "cell centre not computable"
	}
	dist := distanceM(bst.pt, wst.pt)
	if dist/1000 > p.MaxDistanceKm {
		return ReasonMaxDistance, fmt.Sprintf("%d m, limit %d km", dist, p.MaxDistanceKm)
	}
	if !rssiPlausible(w.SignalDdBm, w.FrequencyHz, b.TxPowerDBm, bh.GainDdBi, wh.GainDdBi, dist) {
		return ReasonRSSIAboveFSPL, fmt.Sprintf("signal %d ddBm at %d m exceeds the free-space bound", w.SignalDdBm, dist)
	}
	return ReasonValid, ""
}

// refHexDensity is hexDensity before the sorted-array rewrite: maps by
// cell, parents recomputed from the base cell.
func refHexDensity(p Params, g Geo, cells []uint64) map[uint64]uint64 {
	unclipped := make(map[uint64]uint64, len(cells)*2)
	clipped := make(map[uint64]uint64, len(cells)*2)
	for _, c := range cells {
		unclipped[c]++
		clipped[c]++
	}
	level := make([]uint64, 0, len(unclipped))
	for c := range unclipped {
		level = append(level, c)
	}
	slices.Sort(level)
	base := level
	for res := MaxDensityRes; res >= MinDensityRes; res-- {
		cfg := p.Density[res-MinDensityRes]
		next := make([]uint64, 0, len(level))
		for _, c := range level {
			par, err := g.Parent(c, res)
			if err != nil {
				continue
			}
			n := clipped[c]
			unclipped[par] += n
			clipped[par] += n
			next = append(next, par)
		}
		slices.Sort(next)
		next = slices.Compact(next)
		limits := make([]uint64, len(next))
		for i, par := range next {
			occupied := uint64(0)
			if ring, err := g.GridDisk(par, 1); err == nil {
				for _, n := range ring {
					if v, ok := clipped[n]; ok && v >= cfg.Target {
						occupied++
					}
				}
			}
			factor := uint64(1)
			if occupied > cfg.Neighbors {
				factor = occupied - cfg.Neighbors + 1
			}
			limits[i] = min(cfg.Max, cfg.Target*factor)
		}
		for i, par := range next {
			clipped[par] = min(limits[i], unclipped[par])
		}
		level = next
	}
	out := make(map[uint64]uint64, len(base))
	num, den := new(big.Int), new(big.Int)
	for _, c := range base {
		num.SetInt64(1)
		den.SetInt64(1)
		for res := MaxDensityRes; res >= MinDensityRes; res-- {
			a, err := g.Parent(c, res)
			if err != nil {
				continue
			}
			u := unclipped[a]
			if u == 0 || u == clipped[a] {
				continue
			}
			num.Mul(num, new(big.Int).SetUint64(clipped[a]))
			den.Mul(den, new(big.Int).SetUint64(u))
		}
		out[c] = roundRat(new(big.Rat).SetFrac(num, den))
	}
	return out
}
