package coverage

import (
	"cmp"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// checkSortKeys sorts keys with sortKeys and with a stable comparison sort
// on the same top bits, and compares the orders and the runs handed to fix.
// Up to radixLocal keys the orders must be the same; above, keys equal in
// the sorted bits may come in any order, so each run is put back in input
// order (by index) before comparing.
func checkSortKeys(t interface{ Fatalf(string, ...any) }, keys []sortKey, hiBits, loBits int) {
	hs, ls := uint(64-hiBits), uint(64-loBits)
	want := slices.Clone(keys)
	slices.SortStableFunc(want, func(a, b sortKey) int {
		return cmp.Or(cmp.Compare(a.hi>>hs, b.hi>>hs), cmp.Compare(a.lo>>ls, b.lo>>ls))
	})
	got := slices.Clone(keys)
	runs := 0
	sortKeys(&keyBuf{}, got, hiBits, loBits, func(start int, run []sortKey) {
		runs++
		for k := range run {
			if run[k] != got[start+k] {
				t.Fatalf("fix got a run that is not keys[%d:%d]", start, start+len(run))
			}
			if run[k].hi>>hs != run[0].hi>>hs || run[k].lo>>ls != run[0].lo>>ls {
				t.Fatalf("fix got a run at %d whose keys differ in the sorted bits", start)
			}
		}
	})
	if len(keys) > radixLocal {
		for i := 0; i < len(got); {
			j := i + 1
			for j < len(got) && got[j].hi>>hs == got[i].hi>>hs && got[j].lo>>ls == got[i].lo>>ls {
				j++
			}
			slices.SortFunc(got[i:j], func(a, b sortKey) int { return cmp.Compare(a.i, b.i) })
			i = j
		}
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("%d keys, %d+%d bits: position %d: got %+v, want %+v", len(keys), hiBits, loBits, k, got[k], want[k])
		}
	}
	wantRuns := 0
	for k := 1; k < len(want); k++ {
		if want[k].hi>>hs == want[k-1].hi>>hs && want[k].lo>>ls == want[k-1].lo>>ls &&
			(k == 1 || want[k-1].hi>>hs != want[k-2].hi>>hs || want[k-1].lo>>ls != want[k-2].lo>>ls) {
			wantRuns++
		}
	}
	if runs != wantRuns {
		t.Fatalf("fix called %d times, want %d", runs, wantRuns)
	}
}

// TestSortKeysMatchesStableSort covers the comparison path, the LSD passes
// and their skipping of constant digits, for the key widths Score uses.
func TestSortKeysMatchesStableSort(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{rapid.IntRange(0, 60).Draw(rt, "small"), rapid.IntRange(radixMin, 4*radixMin).Draw(rt, "large")}).Draw(rt, "n")
		widths := rapid.SampledFrom([][2]int{{33, 0}, {64, 0}, {0, 22}, {38, 22}, {8, 33}, {64, 64}}).Draw(rt, "widths")
		mask := rapid.SampledFrom([]uint64{0, 0xff, 0xffff_ffff, 1<<64 - 1, 0xf0f0_0000_0000_000f}).Draw(rt, "mask")
		keys := make([]sortKey, n)
		for i := range keys {
			keys[i] = sortKey{hi: rapid.Uint64().Draw(rt, "hi") & mask, lo: rapid.Uint64().Draw(rt, "lo") & mask, i: int32(i)}
		}
		checkSortKeys(rt, keys, widths[0], widths[1])
	})
}

// TestSortKeysLarge covers the most-significant-digit split above
// radixLocal, with runs of tied keys and buckets of every size.
func TestSortKeysLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large sort")
	}
	seed := uint64(7)
	next := func() uint64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return seed
	}
	n := radixLocal + radixLocal/2
	for _, widths := range [][2]int{{33, 0}, {38, 22}, {64, 0}} {
		keys := make([]sortKey, n)
		for i := range keys {
			v := next()
			switch {
			case i%1000 == 0: // singleton buckets of the top digit
				v = uint64(i/1000)<<53 | v>>11
			case i%7 == 0: // a few heavy buckets
				v &^= 1<<56 - 1
			default: // one bucket above radixLocal, split again
				v = 0x7ff<<53 | v>>11
			}
			keys[i] = sortKey{hi: v, lo: next() & 0xffff_0000_0000_0000, i: int32(i)}
		}
		checkSortKeys(t, keys, widths[0], widths[1])
	}
}
