package coverage

import (
	"math/big"
	"slices"
)

// densityBaseRes is the resolution hotspots are counted at for HIP-17
// (MAX_RES in helium/oracles iot_verifier/src/hex_density.rs).
const densityBaseRes = 11

// hexDensity computes HIP-17 transmit scales (tuned by HIP-104) for the
// res-11 hexes of the interactive hotspots, one entry per hotspot in cells
// (repeats count). It follows iot_verifier/src/hex_density.rs: counts roll up
// from res 10 to res 4; each parent is clipped to
// min(max, target × max(occupied − N + 1, 1)), where occupied counts the hexes
// of its 1-ring (itself included) whose count reaches the target; a hex's
// scale is the product of clipped/unclipped over its ancestors, rounded to
// 4 decimals.
//
// Helium clips the parents of one resolution in hash-map order, so a parent's
// occupied count may see neighbours already clipped or not ("dynamically
// unpredictable" in its comments). Here every parent of a resolution reads
// its neighbours' counts as rolled up from the finer resolution, before any
// clipping at that resolution: the result does not depend on order.
func hexDensity(p Params, g Geo, cells []uint64) map[uint64]uint64 {
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
