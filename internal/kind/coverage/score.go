package coverage

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
)

// ErrInvalidInput is wrapped by every error Score returns for a malformed
// input (as opposed to a bad report, which gets a Reason).
var ErrInvalidInput = errors.New("invalid input")

// times are a hotspot's activity times (as in Activity), which the
// receive-order pass reads and updates: 24 bytes per hotspot, so that the
// records it reads at random stay small.
type times struct {
	LastBeacon, LastBeaconRecip, LastWitness int64
}

// tally is what scoring accumulates per hotspot: its shares (as in Share),
// added up once the receive-order pass is done (scorer.settle).
type tally struct {
	Beaconer, Witness            uint64
	ValidBeacons, ValidWitnesses uint32
}

// site is the derived geometry of a registered hotspot, computed once, with
// the registry fields the witness checks read: one 64-byte record per
// hotspot is all a witness check touches.
type site struct {
	ready     bool
	asserted  bool // a valid asserted cell
	centerErr bool // the cell's centre could not be computed
	denied    bool
	dataOnly  bool
	region    Region
	gain      int32  // GainDdBi
	parent    uint64 // parent at Params.CellDistanceRes, 0 if none
	density   uint64 // parent at res 11, 0 if none
	pt        point
}

// scorer holds one Score call's indexes and accumulators. Hotspots are
// addressed by their index in Input.Hotspots, every other address by its
// device id (index.go); no map is keyed by address or report id.
type scorer struct {
	in        *Input
	w         *Witnesses // the witnesses, in columns
	p         Params
	g         Geo
	devs      []device    // by device id, in address order
	beaconRef []beaconRef // per beacon
	addrRef   []addrRef   // per address in w
	sites     []site      // per hotspot
	entropy   map[uint64]Entropy
	units     unitTable
	scale     []uint64    // per hotspot: its HIP-17 scale, if interactive
	interact  []bool      // hotspot was interactive at epoch start
	times     []times     // per hotspot: activity, updated in receive order
	tally     []tally     // per hotspot: shares
	groups    *components // per hotspot: linked by valid witnesses (component.go)
	linked    []bool      // per hotspot: has a valid witness link
	reports   []reportRec // in output order once placed: rankB, rankW give the slots
	details   []string    // the reports' details; details[0] is ""
	slotAt    []int32     // slot of the result held at each position, until placed
	blockBits uint        // results per block of slots: 1 << blockBits
	blockFill []int32     // per block of slots: where its next result goes
	rankB     []int32     // per beacon: its slot in reports
	rankW     []int32     // per witness: its slot in reports
	ties      [][2]int32  // slot ranges of one role and id, to finish sorting
	counts    [3][NumReasons]uint64
	kb        keyBuf // sort keys, reused by each sort in turn
	logs      logCache
	checks    []beaconCheck // per beacon, by receive-order position: precheck's verdict
	wr        []Reason      // per attached witness (run's order): its verdict so far
	wx        []int32       // with wr: the witness's hotspot if valid, else the detail's index
}

// Score scores one epoch. See the package documentation for the contract.
func Score(in Input, g Geo) (Result, error) {
	if g == nil {
		return Result{}, fmt.Errorf("coverage: score: %w: nil geo", ErrInvalidInput)
	}
	if err := in.Params.Validate(); err != nil {
		return Result{}, fmt.Errorf("coverage: score: %w: %w", ErrInvalidInput, err)
	}
	if in.End <= in.Start {
		return Result{}, fmt.Errorf("coverage: score: %w: epoch end %d not after start %d", ErrInvalidInput, in.End, in.Start)
	}
	w := in.WitnessColumns
	if len(in.Witnesses) > 0 {
		if w != nil {
			return Result{}, fmt.Errorf("coverage: score: %w: witnesses given both as a list and in columns", ErrInvalidInput)
		}
		w = WitnessesOf(in.Witnesses)
	}
	if w == nil {
		w = &Witnesses{}
	}
	s := &scorer{in: &in, w: w, p: in.Params, g: g, details: []string{""}}
	if err := s.index(); err != nil {
		return Result{}, err
	}
	s.units = newUnitTable(s.p)
	s.density()
	s.run()
	return s.result()
}

func (s *scorer) index() error {
	in := s.in
	dupAct, err := s.resolve()
	if err != nil {
		return err
	}
	s.sites = make([]site, len(in.Hotspots))
	s.entropy = make(map[uint64]Entropy, len(in.Entropy))
	for _, e := range in.Entropy {
		if prev, dup := s.entropy[e.Height]; dup && prev != e {
			return fmt.Errorf("coverage: score: %w: two entropy records at height %d", ErrInvalidInput, e.Height)
		}
		s.entropy[e.Height] = e
	}
	if dupAct >= 0 {
		return fmt.Errorf("coverage: score: %w: activity for %s listed twice", ErrInvalidInput, in.Activity[dupAct].Device)
	}
	// A hotspot without an activity entry starts from zero times, which
	// every check reads as "never".
	s.times = make([]times, len(in.Hotspots))
	for _, d := range s.devs {
		if d.hot >= 0 && d.act >= 0 {
			a := &in.Activity[d.act]
			s.times[d.hot] = times{LastBeacon: a.LastBeacon, LastBeaconRecip: a.LastBeaconRecip, LastWitness: a.LastWitness}
		}
	}
	return nil
}

// allocResults makes room for every report's result. It runs after the
// sorts, once their key buffers are released, so that the two are never
// held at once.
func (s *scorer) allocResults() {
	n := len(s.in.Beacons) + s.w.Len()
	s.reports = make([]reportRec, n)
	s.slotAt = make([]int32, n)
	s.blockBits = slotBlockBits(n)
	s.blockFill = make([]int32, (n+1<<s.blockBits-1)>>s.blockBits)
	for b := range s.blockFill {
		s.blockFill[b] = int32(b << s.blockBits)
	}
}

// site returns the derived geometry of hotspot i.
func (s *scorer) site(i int32) *site {
	st := &s.sites[i]
	if st.ready {
		return st
	}
	h := &s.in.Hotspots[i]
	st.ready, st.denied, st.dataOnly, st.region, st.gain = true, h.Denied, h.DataOnly, h.Region, h.GainDdBi
	cell := h.Cell
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
		st.centerErr = true
		return st
	}
	st.pt = unitPoint(lat, lng)
	return st
}

// density computes the HIP-17 scales over the hotspots that were interactive
// at the start of the epoch (a reciprocity-valid beacon within the
// interactivity window, iot_verifier/src/tx_scaler.rs).
func (s *scorer) density() {
	s.interact = make([]bool, len(s.in.Hotspots))
	s.scale = make([]uint64, len(s.in.Hotspots))
	var cells []uint64
	var who []int32
	since := s.in.Start - int64(s.p.InteractivityWindowNs)
	for i := range s.in.Hotspots {
		last := s.times[i].LastBeaconRecip
		if last == 0 || last < since {
			continue
		}
		st := s.site(int32(i))
		if !st.asserted || st.density == 0 {
			continue
		}
		s.interact[i] = true
		cells = append(cells, st.density)
		who = append(who, int32(i))
	}
	for k, v := range hexDensity(&s.kb, s.p, s.g, cells) {
		s.scale[who[k]] = v
	}
}

// hexScale returns the HIP-17 scale of beaconer hotspot i.
func (s *scorer) hexScale(i int32) uint64 {
	if s.interact[i] {
		return s.scale[i]
	}
	return s.p.DefaultHexScale
}

// detail returns the index of d in s.details, appending it unless it is
// the last one there; "" is index 0.
func (s *scorer) detail(d string) int32 {
	if d == "" {
		return 0
	}
	if last := len(s.details) - 1; s.details[last] != d {
		s.details = append(s.details, d)
	}
	return int32(len(s.details) - 1)
}

// record stores a report's result in its slot.
//
// Results are produced in receive order but belong in id order, so a
// direct store would land on random cache lines of a slice of ~100 bytes
// per report. Instead each result is appended to the block of slots
// slots its slot falls in, and placeSlots later moves each block's results
// to their slots while the block is in cache (BENCHMARKS.md, epoch).
//
// x is an invalid report's detail (an index in s.details), a valid one's
// beaconer hotspot; sel is a valid report's number of witnesses its beacon
// selected (Reports.result).
func (s *scorer) record(slot, ref int32, reason Reason, x int32, sel int) {
	b := slot >> s.blockBits
	p := s.blockFill[b]
	s.blockFill[b]++
	r := reportRec{ref: ref, reason: reason, x: x}
	if reason == ReasonValid {
		r.sel = uint8(sel)
	}
	s.reports[p] = r
	s.slotAt[p] = slot
	role := RoleWitness
	if int(slot) < len(s.in.Beacons) {
		role = RoleBeaconer
	}
	s.counts[role][reason]++
}

// slotBlockBits sizes the blocks of placeSlots for n results: 4,096
// results (48 KB, which stays in L2), or more when that would make over
// 1,024 blocks, so that the line each block's next result goes to stays
// in cache as well (at 11M reports, 16,384 results and 671 blocks:
// BENCHMARKS.md, epoch).
func slotBlockBits(n int) uint {
	b := uint(12)
	for n>>b > 1024 {
		b++
	}
	return b
}

// placeSlots moves every result from where record appended it to its slot,
// block by block, following each permutation cycle in place. Every slot is
// recorded exactly once, so the slots form a permutation; should a slot
// ever be recorded twice, it fails instead of cycling forever.
func (s *scorer) placeSlots() error {
	for p := range s.slotAt {
		for q := s.slotAt[p]; q != int32(p); q = s.slotAt[p] {
			if s.slotAt[q] == q {
				return fmt.Errorf("coverage: score: result slot %d filled twice", q)
			}
			s.reports[p], s.reports[q] = s.reports[q], s.reports[p]
			s.slotAt[p], s.slotAt[q] = s.slotAt[q], q
		}
	}
	return nil
}

func (s *scorer) result() (Result, error) {
	res := Result{ScorerVersion: ScorerVersion, Epoch: s.in.Epoch}
	// Hotspots ranked by device address (device ids follow it); a hotspot
	// with no device id ranks after all, in input order.
	rank := make([]int32, len(s.in.Hotspots))
	for i := range rank {
		rank[i] = int32(len(s.devs) + i)
	}
	for id, d := range s.devs {
		if d.hot >= 0 {
			rank[d.hot] = int32(id)
		}
	}
	isolated := s.groups.isolated(s.linked, rank)
	s.groups, s.linked = nil, nil
	n := 0
	for i := range s.tally {
		if s.tally[i] != (tally{}) {
			n++
		}
	}
	if n > 0 {
		res.Shares = make([]Share, 0, n)
	}
	// Device ids follow address order, so shares and activity come out
	// sorted by device.
	for _, d := range s.devs {
		if d.hot < 0 {
			continue
		}
		t := &s.tally[d.hot]
		if *t == (tally{}) {
			continue
		}
		sh := Share{Device: d.addr, Owner: s.in.Hotspots[d.hot].Owner, Beaconer: t.Beaconer, Witness: t.Witness,
			ValidBeacons: t.ValidBeacons, ValidWitnesses: t.ValidWitnesses, IsolatedGroup: isolated[d.hot]}
		var ok1, ok2 bool
		res.BeaconerShares, ok1 = ledger.Add(res.BeaconerShares, sh.Beaconer)
		res.WitnessShares, ok2 = ledger.Add(res.WitnessShares, sh.Witness)
		if !ok1 || !ok2 {
			return Result{}, fmt.Errorf("coverage: score: %w: share totals overflow", ErrInvalidInput)
		}
		res.Shares = append(res.Shares, sh)
	}
	s.tally = nil
	// Reports then sit in role and id order, except among reports sharing
	// an id.
	if err := s.placeSlots(); err != nil {
		return Result{}, err
	}
	res.Reports = Reports{nb: len(s.in.Beacons), beacons: s.in.Beacons, wit: s.w, recs: s.reports, details: s.details,
		units: s.units, interact: s.interact, hexScales: s.scale, defScale: s.p.DefaultHexScale}
	for _, t := range s.ties {
		res.Reports.sortTies(int(t[0]), int(t[1]))
	}
	n = 0
	for i := range s.times {
		if s.times[i] != (times{}) {
			n++
		}
	}
	for _, d := range s.devs {
		if d.hot < 0 && d.act >= 0 {
			n++
		}
	}
	if n > 0 {
		res.Activity = make([]Activity, 0, n)
	}
	for _, d := range s.devs {
		var a Activity
		switch {
		case d.hot >= 0:
			t := &s.times[d.hot]
			a = Activity{Device: d.addr, LastBeacon: t.LastBeacon, LastBeaconRecip: t.LastBeaconRecip, LastWitness: t.LastWitness}
		case d.act >= 0:
			a = s.in.Activity[d.act]
		default:
			continue
		}
		if a.LastBeacon != 0 || a.LastBeaconRecip != 0 || a.LastWitness != 0 {
			res.Activity = append(res.Activity, a)
		}
	}
	for _, role := range []Role{RoleBeaconer, RoleWitness} {
		for r, n := range s.counts[role] {
			if n > 0 {
				res.Counts = append(res.Counts, ReasonCount{Role: role, Reason: Reason(r), Count: n})
			}
		}
	}
	return res, nil
}

func compareReports(a, b ReportResult) int {
	return cmp.Or(
		cmp.Compare(a.Role, b.Role),
		bytes.Compare(a.ID[:], b.ID[:]),
		bytes.Compare(a.Device[:], b.Device[:]),
		cmp.Compare(a.Reason, b.Reason),
		cmp.Compare(a.Detail, b.Detail),
		cmp.Compare(a.Units, b.Units),
		cmp.Compare(a.HexScale, b.HexScale),
		cmp.Compare(a.Share, b.Share),
	)
}
