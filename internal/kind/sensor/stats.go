package sensor

import "slices"

// floorDiv2 halves v rounding toward minus infinity.
func floorDiv2(v int64) int64 { return v >> 1 }

// Median returns the median of xs (the floor of the mean of the two middle
// values for an even count); xs is sorted in place. It returns 0 for none.
func Median(xs []int64) int64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return floorDiv2(xs[n/2-1] + xs[n/2])
}

// MAD returns the median absolute deviation of xs from med, using scratch
// (which it may grow) for the deviations.
func MAD(xs []int64, med int64, scratch []int64) (int64, []int64) {
	scratch = scratch[:0]
	for _, x := range xs {
		scratch = append(scratch, abs64(x-med))
	}
	return Median(scratch), scratch
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// madScaleE4 is 1.4826 x 1e4: the MAD of normal noise times this is its
// standard deviation.
const madScaleE4 = 14826

// Allowed returns the deviation from a ring median tolerated for a channel:
// factorPct percent of 1.4826 x MAD, at least floor.
func Allowed(mad, floor int64, factorPct uint64) int64 {
	a := mad * madScaleE4 / 10_000 * int64(factorPct) / 100
	return max(a, floor)
}

// Outlier reports whether x deviates from med by more than Allowed.
func Outlier(x, med, mad, floor int64, factorPct uint64) bool {
	return abs64(x-med) > Allowed(mad, floor, factorPct)
}
