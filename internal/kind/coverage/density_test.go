package coverage

import (
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/geo"
	"pgregory.net/rapid"
)

// TestHexDensityHelium replays the worked example of helium/oracles
// iot_verifier/src/hex_density.rs simple_scale_check: 36 hotspots asserted in
// one res-8 hex (882830D341FFFFF, live ledger 2022-10-14) and the scale each
// gets under the HIP-104 table.
func TestHexDensityHelium(t *testing.T) {
	asserted := []uint64{
		631210990515536895, 631210990515536895, 631210990515536895,
		631210990515537919, 631210990515537919, 631210990515537919,
		631210990515538431, 631210990515564031, 631210990515589631,
		631210990515600383, 631210990515601919, 631210990515606527,
		631210990515722239, 631210990515722239, 631210990515727359,
		631210990515728895, 631210990515739647, 631210990515874303,
		631210990515924479, 631210990516363775, 631210990515987455,
		631210990516590079, 631210990516612607, 631210990516613631,
		631210990516640767, 631210990516876799, 631210990516885503,
		631210990516888063, 631210990516907007, 631210990516912639,
		631210990516955647, 631210990516996607, 631210990517011455,
		631210990517016575, 631210990517144063, 631210990517264895,
	}
	want := map[uint64]uint64{ // at 1e-4
		631210990515537919: 60, 631210990516955647: 417, 631210990516885503: 139,
		631210990515601919: 104, 631210990516590079: 556, 631210990516888063: 139,
		631210990516640767: 556, 631210990516907007: 208, 631210990515874303: 556,
		631210990517011455: 139, 631210990516363775: 1667, 631210990515589631: 104,
		631210990516996607: 139, 631210990515600383: 104, 631210990517016575: 139,
		631210990515606527: 104, 631210990515739647: 83, 631210990516613631: 278,
		631210990516876799: 139, 631210990515924479: 556, 631210990515538431: 60,
		631210990515536895: 60, 631210990517144063: 833, 631210990517264895: 833,
		631210990516612607: 278, 631210990515722239: 83, 631210990516912639: 208,
		631210990515727359: 83, 631210990515564031: 417, 631210990515728895: 83,
		631210990515987455: 556,
	}
	g := geo.H3{}
	cells := make([]uint64, len(asserted))
	for i, a := range asserted {
		p, err := g.Parent(a, densityBaseRes)
		if err != nil {
			t.Fatal(err)
		}
		cells[i] = p
	}
	scales := hexDensity(nil, DefaultParams(), g, cells)
	if len(scales) != len(cells) {
		t.Fatalf("got %d scales, want one per hotspot (%d)", len(scales), len(cells))
	}
	for i, cell := range asserted {
		w, ok := want[cell]
		if !ok {
			t.Fatalf("fixture: no expected scale for %x", cell)
		}
		if got := scales[i]; got != w*(Scale/10_000) {
			t.Errorf("scale of %x: got %d, want %d", cell, got, w*(Scale/10_000))
		}
	}
}

// TestHexDensityMatchesReference compares hexDensity with the map-based
// version it replaced (refHexDensity) on random clusters of res-11 hexes,
// dense enough to clip, over random clipping tables and above the radix
// threshold.
func TestHexDensityMatchesReference(t *testing.T) {
	g := geo.H3{}
	rapid.Check(t, func(rt *rapid.T) {
		p := DefaultParams()
		for i := range p.Density {
			d := &p.Density[i]
			d.Neighbors = uint64(rapid.IntRange(1, 7).Draw(rt, "n"))
			d.Max = uint64(rapid.IntRange(1, 40).Draw(rt, "max"))
			d.Target = uint64(rapid.IntRange(1, int(d.Max)).Draw(rt, "target"))
		}
		n := rapid.IntRange(0, 700).Draw(rt, "hotspots")
		spread := int64(rapid.SampledFrom([]int{300, 3_000, 30_000, 600_000}).Draw(rt, "spread"))
		cells := make([]uint64, n)
		for i := range cells {
			lat := 525200000 + rapid.Int64Range(-spread, spread).Draw(rt, "lat")
			lng := 134050000 + rapid.Int64Range(-spread, spread).Draw(rt, "lng")
			c, err := geo.CellFromLatLng(lat, lng, densityBaseRes)
			if err != nil {
				rt.Fatal(err)
			}
			cells[i] = c
		}
		want := refHexDensity(p, g, cells)
		got := hexDensity(nil, p, g, cells)
		for i, c := range cells {
			if got[i] != want[c] {
				rt.Fatalf("hotspot %d in %x: got scale %d, want %d", i, c, got[i], want[c])
			}
		}
	})
}

// TestSearchNearMatchesBinarySearch checks the outward search against
// slices.BinarySearch from every start, for present and absent values.
func TestSearchNearMatchesBinarySearch(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cells := rapid.SliceOfNDistinct(rapid.Uint64Range(0, 200), 1, 80, rapid.ID[uint64]).Draw(rt, "cells")
		slices.Sort(cells)
		v := rapid.Uint64Range(0, 201).Draw(rt, "v")
		from := rapid.IntRange(0, len(cells)-1).Draw(rt, "from")
		wk, wok := slices.BinarySearch(cells, v)
		gk, gok := searchNear(cells, from, v)
		if gok != wok || (wok && gk != wk) {
			rt.Fatalf("search %d from %d in %v: got (%d, %v), want (%d, %v)", v, from, cells, gk, gok, wk, wok)
		}
	})
}
