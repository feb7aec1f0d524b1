package coverage

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// sortByReceived returns the indices 0..n-1 in the order of full, a
// comparison whose first field is the receive time: it sorts (time, index)
// pairs held together in memory and calls full only on equal times, so the
// order is exactly that of sorting the indices with full, without chasing
// each index into the reports on every comparison.
func sortByReceived(n int, received func(i int32) int64, full func(a, b int32) int) []int32 {
	type key struct {
		t int64
		i int32
	}
	keys := make([]key, n)
	for i := range keys {
		keys[i] = key{t: received(int32(i)), i: int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return full(a.i, b.i)
	})
	out := make([]int32, n)
	for k, key := range keys {
		out[k] = key.i
	}
	return out
}

// sortReports sorts reports by compareReports. It sorts 16-byte keys (role,
// the first 8 bytes of the id, position), falls back to compareReports only
// when role and id prefix tie, and permutes the reports in place: the same
// total order as slices.SortFunc(reports, compareReports), so the same
// output, without moving ~100-byte structs through every partition step
// (13% of Score at 100k devices, BENCHMARKS.md).
func sortReports(reports []ReportResult) {
	type key struct {
		hi   uint64
		role Role
		i    int32
	}
	keys := make([]key, len(reports))
	for i := range reports {
		keys[i] = key{hi: binary.BigEndian.Uint64(reports[i].ID[:8]), role: reports[i].Role, i: int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.role, b.role); c != 0 {
			return c
		}
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		return compareReports(reports[a.i], reports[b.i])
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
