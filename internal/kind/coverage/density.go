package coverage

import (
	"cmp"
	"math/big"
	"slices"
)

// densityBaseRes is the resolution hotspots are counted at for HIP-17
// (MAX_RES in helium/oracles iot_verifier/src/hex_density.rs).
const densityBaseRes = 11

// densityLevel is one resolution of the HIP-17 roll-up: its occupied hexes
// in ascending order and their counts.
type densityLevel struct {
	cells     []uint64
	unclipped []uint64
	clipped   []uint64
	// up[j] is the index, in the next coarser level, of cells[j]'s
	// parent; -1 if the parent could not be computed.
	up []int32
}

// hexDensity computes HIP-17 transmit scales (tuned by HIP-104) for the
// res-11 hexes of the interactive hotspots, one entry per hotspot in cells
// (repeats count), and returns the scale of each entry. It follows
// iot_verifier/src/hex_density.rs: counts roll up from res 10 to res 4;
// each parent is clipped to min(max, target × max(occupied − N + 1, 1)),
// where occupied counts the hexes of its 1-ring (itself included) whose
// count reaches the target; a hex's scale is the product of
// clipped/unclipped over its ancestors, rounded to 4 decimals.
//
// Helium clips the parents of one resolution in hash-map order, so a parent's
// occupied count may see neighbours already clipped or not ("dynamically
// unpredictable" in its comments). Here every parent of a resolution reads
// its neighbours' counts as rolled up from the finer resolution, before any
// clipping at that resolution: the result does not depend on order.
//
// Each resolution is a sorted array (H3 parents keep the order of their
// children), neighbours are found by merging sorted ring cells with it, and
// a hex's ancestors are followed by index: no map keyed by cell, whose
// lookups stop fitting in cache at 100k hotspots (BENCHMARKS.md, epoch).
func hexDensity(buf *keyBuf, p Params, g Geo, cells []uint64) []uint64 {
	// Base level: the distinct cells with their counts.
	keys := buf.keys(len(cells))
	for i, c := range cells {
		keys[i] = sortKey{hi: c, i: int32(i)}
	}
	sortKeys(buf, keys, 64, 0, func(int, []sortKey) {})
	entry := make([]int32, len(cells)) // entry → base index
	base := &densityLevel{}
	for k := range keys {
		if k == 0 || keys[k].hi != keys[k-1].hi {
			base.cells = append(base.cells, keys[k].hi)
			base.unclipped = append(base.unclipped, 0)
		}
		j := len(base.cells) - 1
		base.unclipped[j]++
		entry[keys[k].i] = int32(j)
	}
	base.clipped = base.unclipped
	levels := []*densityLevel{base}
	for res := MaxDensityRes; res >= MinDensityRes; res-- {
		levels = append(levels, rollUp(p.Density[res-MinDensityRes], g, levels[len(levels)-1], res))
	}

	// Scale of each base hex: the product over its ancestors.
	scales := make([]uint64, len(base.cells))
	num, den := new(big.Int), new(big.Int)
	// Most hexes have no clipped ancestor: their product is 1/1, rounded
	// once here instead of once per hex.
	unit := roundRat(big.NewRat(1, 1))
	for b, c := range base.cells {
		num.SetInt64(1)
		den.SetInt64(1)
		clipped := false
		j := int32(b)
		for li, res := 1, MaxDensityRes; res >= MinDensityRes; li, res = li+1, res-1 {
			lv := levels[li]
			if j >= 0 {
				j = levels[li-1].up[j]
			}
			if j < 0 {
				// A broken chain (never with H3): look the ancestor up
				// directly, as the map did.
				a, err := g.Parent(c, res)
				if err != nil {
					continue
				}
				k, ok := slices.BinarySearch(lv.cells, a)
				if !ok {
					continue
				}
				j = int32(k)
			}
			u := lv.unclipped[j]
			if u == 0 || u == lv.clipped[j] {
				continue
			}
			num.Mul(num, new(big.Int).SetUint64(lv.clipped[j]))
			den.Mul(den, new(big.Int).SetUint64(u))
			clipped = true
		}
		if !clipped {
			scales[b] = unit
			continue
		}
		scales[b] = roundRat(new(big.Rat).SetFrac(num, den))
	}
	out := make([]uint64, len(cells))
	for i, b := range entry {
		out[i] = scales[b]
	}
	return out
}

// rollUp builds resolution res from the finer level fine: each parent sums
// its children's clipped counts, then is clipped by the HIP-104 rule.
func rollUp(cfg DensityRes, g Geo, fine *densityLevel, res int) *densityLevel {
	type link struct {
		par   uint64
		child int32
	}
	links := make([]link, 0, len(fine.cells))
	fine.up = make([]int32, len(fine.cells))
	for j, c := range fine.cells {
		fine.up[j] = -1
		if par, err := g.Parent(c, res); err == nil {
			links = append(links, link{par, int32(j)})
		}
	}
	// H3 parents of ascending cells ascend; sort only for a Geo whose
	// parents do not.
	byPar := func(a, b link) int { return cmp.Compare(a.par, b.par) }
	if !slices.IsSortedFunc(links, byPar) {
		slices.SortStableFunc(links, byPar)
	}
	lv := &densityLevel{}
	for k, l := range links {
		if k == 0 || l.par != links[k-1].par {
			lv.cells = append(lv.cells, l.par)
			lv.unclipped = append(lv.unclipped, 0)
		}
		j := len(lv.cells) - 1
		lv.unclipped[j] += fine.clipped[l.child]
		fine.up[l.child] = int32(j)
	}

	// Occupied neighbours, reading counts before any clipping at this
	// level. A neighbour sits near its hex in H3 order, so it is searched
	// outward from there.
	occupied := make([]uint64, len(lv.cells))
	for j, c := range lv.cells {
		disk, err := g.GridDisk(c, 1)
		if err != nil {
			continue
		}
		for _, n := range disk {
			if k, ok := searchNear(lv.cells, j, n); ok && lv.unclipped[k] >= cfg.Target {
				occupied[j]++
			}
		}
	}
	lv.clipped = make([]uint64, len(lv.cells))
	for j := range lv.cells {
		factor := uint64(1)
		if occupied[j] > cfg.Neighbors {
			factor = occupied[j] - cfg.Neighbors + 1
		}
		lv.clipped[j] = min(min(cfg.Max, cfg.Target*factor), lv.unclipped[j])
	}
	return lv
}

// searchNear finds v in the ascending cells, starting from index from and
// doubling the step (O(log distance) probes, O(log n) at worst).
func searchNear(cells []uint64, from int, v uint64) (int, bool) {
	lo, hi := from, from+1 // v is searched in cells[lo:hi]
	if cells[from] < v {
		for step := 1; hi < len(cells) && cells[hi-1] < v; step *= 2 {
			lo, hi = hi, min(hi+step, len(cells))
		}
	} else {
		for step := 1; lo > 0 && cells[lo] > v; step *= 2 {
			lo, hi = max(lo-step, 0), lo+1
		}
	}
	k, ok := slices.BinarySearch(cells[lo:hi], v)
	return lo + k, ok
}
