package sensor

// Integer great-circle distance for short ranges (equirectangular
// approximation: within 0.1 % below ~100 km, which is all the checks use).

const (
	q30       = 1 << 30
	piQ30     = 3373259426 // pi x 2^30
	mPerDegE7 = 111_195    // metres per degree of latitude (mean radius 6371 km), times 1e-7 per e7 unit below
)

// cosQ30 returns cos(x) at Q30 for x in radians at Q30, |x| <= pi/2, by its
// Taylor series to x^10 (error below 1e-6).
func cosQ30(x int64) int64 {
	x2 := x * x >> 30
	term, sum := int64(q30), int64(q30)
	for n := int64(1); n <= 5; n++ {
		term = -term * x2 >> 30 / ((2*n - 1) * (2 * n))
		sum += term
	}
	return sum
}

// DistanceM returns the distance in metres between two points given in
// degrees x 1e7.
func DistanceM(lat1, lng1, lat2, lng2 int64) uint64 {
	midLat := (lat1 + lat2) / 2
	// radians at Q30 = degE7 x pi / 180e7
	rad := midLat * (piQ30 >> 10) / 180e7 << 10
	c := cosQ30(rad)
	dLng := lng2 - lng1
	if dLng > 180e7 {
		dLng -= 360e7
	} else if dLng < -180e7 {
		dLng += 360e7
	}
	dy := (lat2 - lat1) * mPerDegE7 / 1e7    // metres
	dx := (dLng * mPerDegE7 / 1e7) * c >> 30 // metres
	return isqrt(uint64(dx*dx) + uint64(dy*dy))
}

func isqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	x := n
	y := (x + 1) / 2
	for y < x {
		x = y
		y = (x + n/x) / 2
	}
	return x
}
