package coverage

import (
	"cmp"
	"slices"
)

// sortKey is a compact sort record: up to 20 bytes of key material held
// next to the index of the record it stands for, so that sorting touches one
// contiguous array instead of chasing indices into the reports.
type sortKey struct {
	hi, lo uint64
	x      uint32
	i      int32
}

// radixDigit is the width of one radix pass: 2,048 buckets, small enough for
// the counts to stay in L1 while scattering.
const radixDigit = 11

// radixMin is the size below which sortKeys uses a comparison sort: the
// passes' fixed cost (one count array each) is not worth it for a few
// hundred keys. Both paths give the same order.
const radixMin = 256

// sortKeys orders keys by the top hiBits of hi, then the top loBits of lo,
// stably (equal keys keep their order), then calls fix on every run of two
// or more keys equal in those bits (starting at index start), so that fix
// can finish the order with
// the full comparison (reading the records if it must). Ordering the top
// bits by LSD radix makes the whole sort linear in the number of keys for a
// fixed key width, where a comparison sort costs n log n (BENCHMARKS.md,
// epoch: from 110k to 1.1M reports the log factor alone is 1.2×).
func sortKeys(keys []sortKey, hiBits, loBits int, fix func(start int, run []sortKey)) {
	hs, ls := uint(64-hiBits), uint(64-loBits)
	if len(keys) < radixMin {
		slices.SortStableFunc(keys, func(a, b sortKey) int {
			return cmp.Or(cmp.Compare(a.hi>>hs, b.hi>>hs), cmp.Compare(a.lo>>ls, b.lo>>ls))
		})
	} else {
		tmp := make([]sortKey, len(keys))
		src, dst := keys, tmp
		// Least significant digit first: lo's bits, then hi's.
		for s := ls; s < 64; s += radixDigit {
			if radixPass(src, dst, false, s) {
				src, dst = dst, src
			}
		}
		for s := hs; s < 64; s += radixDigit {
			if radixPass(src, dst, true, s) {
				src, dst = dst, src
			}
		}
		if &src[0] != &keys[0] {
			copy(keys, src)
		}
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j].hi>>hs == keys[i].hi>>hs && keys[j].lo>>ls == keys[i].lo>>ls {
			j++
		}
		if j-i > 1 {
			fix(i, keys[i:j])
		}
		i = j
	}
}

// radixPass scatters src into dst stably by the radixDigit bits of hi (or
// lo) starting at bit shift. It returns false, leaving dst untouched, when
// every key has the same digit (the pass would copy src unchanged).
func radixPass(src, dst []sortKey, hi bool, shift uint) bool {
	const mask = 1<<radixDigit - 1
	digit := func(k *sortKey) uint64 {
		if hi {
			return k.hi >> shift & mask
		}
		return k.lo >> shift & mask
	}
	var count [1 << radixDigit]int
	for k := range src {
		count[digit(&src[k])]++
	}
	if count[digit(&src[0])] == len(src) {
		return false
	}
	pos := 0
	for d, c := range count {
		count[d] = pos
		pos += c
	}
	for k := range src {
		d := digit(&src[k])
		dst[count[d]] = src[k]
		count[d]++
	}
	return true
}

// compareKeys orders keys by all their key material, then by index.
func compareKeys(a, b sortKey) int {
	return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo), cmp.Compare(a.x, b.x), cmp.Compare(a.i, b.i))
}

// sameKey reports whether two keys hold the same key material.
func sameKey(a, b *sortKey) bool { return a.hi == b.hi && a.lo == b.lo && a.x == b.x }
