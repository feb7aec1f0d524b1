package coverage

import (
	"slices"

	"github.com/depin-network/depin/internal/ledger"
)

// Reports is the verdict on every report of an epoch, by role then id (the
// order of Result.Reports). Score holds them compactly, in 12 bytes per
// report against 96 in a ReportResult: the report's index in the input,
// its reason, and either its detail's index (an invalid report) or the
// beaconer's hotspot and the beacon's selected witness count (a valid one:
// Units, HexScale and Share follow from these and the epoch's tables). The
// id and device are read from the input's reports, which must therefore not
// change while the Reports are in use.
type Reports struct {
	nb      int // slots [0, nb) are beacons, the rest witnesses
	beacons []Beacon
	wit     *Witnesses
	recs    []reportRec
	details []string // details[0] is ""
	units   unitTable
	// The HIP-17 scales (scorer.hexScale), so that the Reports keep only
	// these of the scorer's arrays alive.
	interact  []bool
	hexScales []uint64
	defScale  uint64
	list      []ReportResult
}

// reportRec is one verdict, held compactly.
type reportRec struct {
	ref int32 // index of the report in Input.Beacons or the witnesses
	// x is the index of the detail in Reports.details for an invalid
	// report, the beaconer's hotspot for a valid one.
	x      int32
	sel    uint8 // a valid report's beacon: witnesses selected (≤ 64)
	reason Reason
}

// ReportsOf holds a list of verdicts as Reports.
func ReportsOf(rs []ReportResult) Reports { return Reports{list: rs} }

// Len is the number of verdicts.
func (r *Reports) Len() int {
	if r.list != nil {
		return len(r.list)
	}
	return len(r.recs)
}

// At returns verdict i.
func (r *Reports) At(i int) ReportResult {
	if r.list != nil {
		return r.list[i]
	}
	return r.result(i, &r.recs[i])
}

func (r *Reports) result(slot int, rec *reportRec) ReportResult {
	out := ReportResult{Reason: rec.reason}
	if slot < r.nb {
		b := &r.beacons[rec.ref]
		out.ID, out.Device, out.Role = b.ID, b.Device, RoleBeaconer
	} else {
		w := r.wit
		out.ID, out.Device, out.Role = w.id[rec.ref], w.addrs[w.device[rec.ref]], RoleWitness
	}
	if rec.reason != ReasonValid {
		out.Detail = r.details[rec.x]
		return out
	}
	out.HexScale = r.defScale
	if r.interact[rec.x] {
		out.HexScale = r.hexScales[rec.x]
	}
	if out.Role == RoleBeaconer {
		out.Units = r.units.beaconer[rec.sel]
	} else {
		out.Units = r.units.witness[rec.sel]
	}
	out.Share, _ = ledger.MulDiv(out.Units, out.HexScale, Scale)
	return out
}

// All returns every verdict as a list.
func (r *Reports) All() []ReportResult {
	out := make([]ReportResult, r.Len())
	for i := range out {
		out[i] = r.At(i)
	}
	return out
}

// sortTies orders the verdicts in slots [a, b), reports of one role sharing
// an id, by compareReports.
func (r *Reports) sortTies(a, b int) {
	type pair struct {
		res ReportResult
		rec reportRec
	}
	ps := make([]pair, 0, b-a)
	for i := a; i < b; i++ {
		ps = append(ps, pair{r.result(i, &r.recs[i]), r.recs[i]})
	}
	slices.SortFunc(ps, func(x, y pair) int { return compareReports(x.res, y.res) })
	for k, p := range ps {
		r.recs[a+k] = p.rec
	}
}
