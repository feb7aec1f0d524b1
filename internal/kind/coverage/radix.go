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

// radixMin is the size below which a range is ordered by a comparison sort:
// the passes' fixed cost (one count array each) is not worth it for a few
// hundred keys. Both give the same order.
const radixMin = 256

// radixLocal is the most keys (12 MB) sorted by least-significant-digit
// passes alone. A larger range is first split by its most significant digit
// into buckets of a few hundred keys or more, so that the later passes
// scatter within ranges that stay in cache: a pass over tens of megabytes
// scatters to 2,048 places at once and misses the cache and TLB on nearly
// every key.
const radixLocal = 1 << 19

// digit is one radix digit of the composite key: radixDigit bits of hi (or
// lo) from bit shift up.
type digit struct {
	hi    bool
	shift uint
}

func (d digit) of(k *sortKey) uint64 {
	if d.hi {
		return k.hi >> d.shift & (1<<radixDigit - 1)
	}
	return k.lo >> d.shift & (1<<radixDigit - 1)
}

// sortKeys orders keys by the top hiBits of hi, then the top loBits of lo,
// then calls fix on every run of two or more keys equal in those bits
// (starting at index start), so that fix can finish the order with the full
// comparison (reading the records if it must). Up to radixLocal keys the
// order is stable (equal keys keep their order); above, the top digit is
// split in place and keys equal in the sorted bits may come in any order,
// so fix must give a run the same order whatever order it comes in. Radix sorting the top bits makes the whole sort linear in the
// number of keys for a fixed key width, where a comparison sort costs
// n log n (BENCHMARKS.md, epoch: from 110k to 1.1M reports the log factor
// alone is 1.2×).
func sortKeys(buf *keyBuf, keys []sortKey, hiBits, loBits int, fix func(start int, run []sortKey)) {
	hs, ls := uint(64-hiBits), uint(64-loBits)
	// Digits, most significant first.
	var digits []digit
	for s := int(hs) + (hiBits+radixDigit-1)/radixDigit*radixDigit - radixDigit; s >= int(hs); s -= radixDigit {
		digits = append(digits, digit{hi: true, shift: uint(s)})
	}
	for s := int(ls) + (loBits+radixDigit-1)/radixDigit*radixDigit - radixDigit; s >= int(ls); s -= radixDigit {
		digits = append(digits, digit{hi: false, shift: uint(s)})
	}
	if len(keys) >= radixMin {
		radixSort(keys, buf.scratch(min(len(keys), radixLocal)), digits, hs, ls)
	} else {
		stableByTop(keys, hs, ls)
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

func stableByTop(keys []sortKey, hs, ls uint) {
	slices.SortStableFunc(keys, func(a, b sortKey) int {
		return cmp.Or(cmp.Compare(a.hi>>hs, b.hi>>hs), cmp.Compare(a.lo>>ls, b.lo>>ls))
	})
}

// radixSort orders keys by digits (most significant first), using tmp (at
// least min(len(keys), radixLocal) keys) as scratch: stably up to
// radixLocal keys, and above by an in-place split on the top digit, which
// does not keep the order of keys with equal digits but needs no scratch as
// long as the keys (at 10M witnesses, 240 MB less heap; BENCHMARKS.md,
// epoch).
func radixSort(keys, tmp []sortKey, digits []digit, hs, ls uint) {
	switch {
	case len(digits) == 0:
		return
	case len(keys) < radixMin:
		stableByTop(keys, hs, ls)
		return
	case len(keys) <= radixLocal:
		src, dst := keys, tmp[:len(keys)]
		for d := len(digits) - 1; d >= 0; d-- {
			if radixPass(src, dst, digits[d]) {
				src, dst = dst, src
			}
		}
		if &src[0] != &keys[0] {
			copy(keys, src)
		}
		return
	}
	// Split by the most significant digit, then sort each bucket.
	var count [1 << radixDigit]int
	d := digits[0]
	for k := range keys {
		count[d.of(&keys[k])]++
	}
	if count[d.of(&keys[0])] == len(keys) {
		radixSort(keys, tmp, digits[1:], hs, ls)
		return
	}
	var start [1<<radixDigit + 1]int
	for b, c := range count {
		start[b+1] = start[b] + c
	}
	// Move every key to its bucket in place (American flag sort): take the
	// first key not yet placed in bucket b and swap it into the bucket it
	// belongs to, until the key in hand belongs to b.
	next := start
	for b := range count {
		end := start[b+1]
		for next[b] < end {
			k := keys[next[b]]
			for db := int(d.of(&k)); db != b; db = int(d.of(&k)) {
				keys[next[db]], k = k, keys[next[db]]
				next[db]++
			}
			keys[next[b]] = k
			next[b]++
		}
	}
	for b := range count {
		lo, hi := start[b], start[b+1]
		if hi-lo > 1 {
			radixSort(keys[lo:hi], tmp, digits[1:], hs, ls)
		}
	}
}

// radixPass scatters src into dst stably by digit d. It returns false,
// leaving dst untouched, when every key has the same digit (the pass would
// copy src unchanged).
func radixPass(src, dst []sortKey, d digit) bool {
	var count [1 << radixDigit]int
	for k := range src {
		count[d.of(&src[k])]++
	}
	if count[d.of(&src[0])] == len(src) {
		return false
	}
	pos := 0
	for b, c := range count {
		count[b] = pos
		pos += c
	}
	for k := range src {
		b := d.of(&src[k])
		dst[count[b]] = src[k]
		count[b]++
	}
	return true
}

// keyBuf holds the key and scratch arrays of one Score call, reused by its
// successive sorts (each done with its keys before the next starts), so
// that scoring does not fault in fresh pages for every sort. A nil *keyBuf
// allocates.
type keyBuf struct {
	k, tmp []sortKey
}

// keys returns n keys to overwrite.
func (b *keyBuf) keys(n int) []sortKey {
	if b == nil {
		return make([]sortKey, n)
	}
	if cap(b.k) < n {
		b.k = make([]sortKey, n)
	}
	return b.k[:n]
}

func (b *keyBuf) scratch(n int) []sortKey {
	if b == nil {
		return make([]sortKey, n)
	}
	if cap(b.tmp) < n {
		b.tmp = make([]sortKey, n)
	}
	return b.tmp[:n]
}

// compareKeys orders keys by all their key material, then by index.
func compareKeys(a, b sortKey) int {
	return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo), cmp.Compare(a.x, b.x), cmp.Compare(a.i, b.i))
}

// sameKey reports whether two keys hold the same key material.
func sameKey(a, b *sortKey) bool { return a.hi == b.hi && a.lo == b.lo && a.x == b.x }
