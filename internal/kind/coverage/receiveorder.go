package coverage

import (
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
func sortByReceived(buf *keyBuf, n int, received func(i int32) int64, id func(i int32) *[32]byte, full func(a, b int32) int) []int32 {
	keys := buf.keys(n)
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
	sortKeys(buf, keys, width, 22, func(_ int, run []sortKey) {
		slices.SortFunc(run, func(a, b sortKey) int { return full(a.i, b.i) })
	})
	out := make([]int32, n)
	for k := range keys {
		out[k] = keys[k].i
	}
	return out
}
