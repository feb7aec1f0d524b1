package ingest

import "time"

// bucket is a token bucket in integer nanotoken units: one report costs
// 1e9 units, the bucket holds at most burst·1e9 and refills rate·1e9 units
// per second, that is rate units per nanosecond. It depends only on the
// times it is given, so it is deterministic under an injected clock.
type bucket struct {
	units uint64 // available, in 1e-9 reports
	last  int64  // unix nanos of the last refill
}

const unitsPerReport = uint64(time.Second)

// take refills the bucket up to now and takes one report if it can.
func (b *bucket) take(now int64, rate, burst uint64) bool {
	return b.takeN(now, 1, rate, burst) == 1
}

// takeN refills the bucket up to now and takes as many of n reports as it
// can, returning how many it took.
func (b *bucket) takeN(now int64, n, rate, burst uint64) uint64 {
	limit := burst * unitsPerReport
	if b.last == 0 {
		b.units = limit
	} else if now > b.last {
		elapsed := uint64(now - b.last)
		// Past the time to fill from empty the bucket is full; below it
		// elapsed·rate < limit, so the product cannot overflow.
		if fill := limit / rate; elapsed >= fill {
			b.units = limit
		} else if add := elapsed * rate; add >= limit-b.units {
			b.units = limit
		} else {
			b.units += add
		}
	}
	if now > b.last {
		b.last = now
	}
	k := min(n, b.units/unitsPerReport)
	b.units -= k * unitsPerReport
	return k
}

// device is ingest's memory of one device: the last nonce it accepted (its
// high-water mark), which report carried it, and the rate bucket.
type device struct {
	nonce uint64
	// digest is SHA-256 of the last accepted report's bytes and leaf its
	// leaf hash; both are zero while the last append is in doubt (it
	// failed, so a retry must use a higher nonce).
	digest [32]byte
	leaf   [32]byte
	known  bool
	bucket bucket
}
