package coverage

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
)

// sortByReceived returns the indices 0..n-1 in the order of full, a
// comparison whose first fields are the receive time and then the report id:
// it radix-sorts (time, id prefix, index) keys held together in memory and
// calls full only where both tie, so the order is exactly that of sorting
// the indices with full, without chasing each index into the reports on
// every comparison.
func sortByReceived(n int, received func(i int32) int64, id func(i int32) *[32]byte, full func(a, b int32) int) []int32 {
	keys := make([]sortKey, n)
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for i := range keys {
		t := received(int32(i))
		lo, hi = min(lo, t), max(hi, t)
		keys[i] = sortKey{hi: uint64(t), lo: binary.BigEndian.Uint64(id(int32(i))[:8]), i: int32(i)}
	}
	// Times relative to the earliest, their significant bits moved to the
	// top, so that the radix passes cover only the bits that vary.
	width := 0
	if n > 0 {
		width = bits.Len64(uint64(hi) - uint64(lo))
		for i := range keys {
			keys[i].hi = (keys[i].hi - uint64(lo)) << (64 - width)
		}
	}
	sortKeys(keys, width, 33, func(run []sortKey) {
		slices.SortFunc(run, func(a, b sortKey) int { return full(a.i, b.i) })
	})
	out := make([]int32, n)
	for k := range keys {
		out[k] = keys[k].i
	}
	return out
}

// sortReports sorts reports by compareReports. It radix-sorts compact keys
// (role, the first 8 bytes of the id, position), falls back to
// compareReports only where role and id prefix tie, and permutes the reports
// in place: the same total order as slices.SortFunc(reports,
// compareReports), so the same output, without moving ~100-byte structs
// around or paying n log n comparisons (BENCHMARKS.md, epoch).
func sortReports(reports []ReportResult) {
	keys := make([]sortKey, len(reports))
	for i := range reports {
		keys[i] = sortKey{hi: uint64(reports[i].Role) << 56, lo: binary.BigEndian.Uint64(reports[i].ID[:8]), i: int32(i)}
	}
	sortKeys(keys, 8, 33, func(run []sortKey) {
		slices.SortFunc(run, func(a, b sortKey) int {
			return cmp.Or(cmp.Compare(a.lo, b.lo), compareReports(reports[a.i], reports[b.i]))
		})
	})
	// Permute in place, cycle by cycle: position j takes the report at
	// keys[j].i; a placed position is marked with -1.
	for k := range keys {
		if keys[k].i < 0 || int(keys[k].i) == k {
			continue
		}
		tmp := reports[k]
		j := k
		for {
			src := int(keys[j].i)
			keys[j].i = -1
			if src == k {
				reports[j] = tmp
				break
			}
			reports[j] = reports[src]
			j = src
		}
	}
}
