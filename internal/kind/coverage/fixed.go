package coverage

import (
	"math/bits"

	"github.com/depin-network/depin/internal/ledger"
)

// Integer replacements for the floating-point maths of helium/oracles
// iot_verifier/src/poc.rs (great-circle distance between cell centres and
// free-space path loss). Replay must be bit-exact on any machine, so all of
// it is integer arithmetic.

// q30 is the scale of unit-sphere coordinates and angles (2^30).
const q30 = 1 << 30

// EarthRadiusM is the mean Earth radius in metres used by H3
// (EARTH_RADIUS_KM = 6371.007180918475 in uber/h3 src/h3lib/include/constants.h).
const EarthRadiusM = 6_371_007

// piQ40 is round(π·2^40).
const piQ40 = 3_454_217_652_358

// log10of2Q32 is round(log10(2)·2^32).
const log10of2Q32 = 1_292_913_986

// fsplConstQ32 is round(20·log10(4π/c)·2^32) with c = 2.998e8 m/s, the speed
// of light used by iot_verifier/src/poc.rs (const C).
const fsplConstQ32 = -633_732_884_015

// degE7ToRadQ30 converts a non-negative angle in 1e-7 degrees to radians in
// Q30, rounding down.
func degE7ToRadQ30(deg uint64) int64 {
	r, _ := ledger.MulDiv(deg, piQ40, 180*10_000_000<<10)
	return int64(r)
}

// sinCosSmall returns sin and cos (Q30) of x in radians (Q30), 0 ≤ x ≤ π/4,
// by Taylor series; every term is below 2^-30 after the ninth.
func sinCosSmall(x int64) (sin, cos int64) {
	x2 := x * x >> 30
	// sin = x - x^3/3! + x^5/5! - ...
	term, sum := x, x
	for k := int64(1); k <= 9; k++ {
		term = -(term * x2 >> 30) / ((2 * k) * (2*k + 1))
		sum += term
	}
	sin = sum
	term, sum = q30, q30
	for k := int64(1); k <= 9; k++ {
		term = -(term * x2 >> 30) / ((2*k - 1) * (2 * k))
		sum += term
	}
	return sin, sum
}

// sinCosE7 returns sin and cos (Q30) of an angle in 1e-7 degrees.
func sinCosE7(a int64) (sin, cos int64) {
	const full, quarter, eighth = 360 * 10_000_000, 90 * 10_000_000, 45 * 10_000_000
	a %= full
	if a < 0 {
		a += full
	}
	// Reduce to [0, 90°) with the quadrant.
	quadrant := a / quarter
	a -= quadrant * quarter
	var s, c int64
	if a <= eighth {
		s, c = sinCosSmall(degE7ToRadQ30(uint64(a)))
	} else {
		c, s = sinCosSmall(degE7ToRadQ30(uint64(quarter - a)))
	}
	switch quadrant {
	case 1:
		s, c = c, -s
	case 2:
		s, c = -s, -c
	case 3:
		s, c = -c, s
	}
	return s, c
}

// point is a position on the unit sphere in Q30.
type point struct{ x, y, z int64 }

// unitPoint converts latitude and longitude in 1e-7 degrees to a unit vector.
func unitPoint(latE7, lngE7 int64) point {
	sLat, cLat := sinCosE7(latE7)
	sLng, cLng := sinCosE7(lngE7)
	return point{x: cLat * cLng >> 30, y: cLat * sLng >> 30, z: sLat}
}

// isqrt returns floor(sqrt(n)).
func isqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	x := uint64(1) << ((bits.Len64(n) + 1) / 2)
	for {
		y := (x + n/x) / 2
		if y >= x {
			return x
		}
		x = y
	}
}

// distanceM returns the great-circle distance in metres between two unit
// points, rounded to nearest: the chord through the sphere, then
// arc = 2R·asin(chord/2) by its series to the x^9 term.
//
// Error: the Q30 trigonometry is good to a few 1e-9 of the radius (a few
// centimetres) and the series truncation is below 1e-13 of the arc up to
// 1000 km, so up to 1000 km the result is within 1 m of the spherical
// great-circle distance H3 computes (tested against it up to 1000 km). Beyond
// 1000 km the truncated series underestimates, but stays monotonic and far
// above any distance limit.
func distanceM(a, b point) uint64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	chord2 := uint64(dx*dx) + uint64(dy*dy) + uint64(dz*dz) // Q60, at most 4·2^60
	s := int64(isqrt(chord2) / 2)                           // sin(θ/2) in Q30
	s2 := s * s >> 30
	// asin(s) = s + s^3/6 + 3s^5/40 + 15s^7/336 + 105s^9/3456
	p := s
	sum := s
	coef := [...][2]int64{{1, 6}, {3, 40}, {15, 336}, {105, 3456}}
	for _, c := range coef {
		p = p * s2 >> 30
		sum += p * c[0] / c[1]
	}
	m, _ := ledger.MulDiv(uint64(sum), 2*EarthRadiusM, 1)
	return (m + q30/2) >> 30
}

// log2Q32 returns log2(x) in Q32 for x ≥ 1, by the bit-by-bit squaring
// method; the error is below 2^-31.
func log2Q32(x uint64) uint64 {
	n := uint64(bits.Len64(x) - 1)
	y := x << (63 - n) // mantissa in [1,2) as Q63
	var frac uint64
	for i := 0; i < 32; i++ {
		hi, lo := bits.Mul64(y, y) // mantissa² as Q126
		frac <<= 1
		if hi >= 1<<63 {
			frac |= 1
			y = hi
		} else {
			y = hi<<1 | lo>>63
		}
	}
	return n<<32 | frac
}

// log10Q32 returns log10(x) in Q32 for x ≥ 1.
func log10Q32(x uint64) int64 {
	hi, lo := bits.Mul64(log2Q32(x), log10of2Q32)
	return int64(hi<<32 | lo>>32)
}

// fsplQ32 returns the free-space path loss 20·log10(4π·d·f/c) in dB as Q32
// (iot_verifier/src/poc.rs calc_fpsl), and false when d·f is zero (no loss
// bound, as log10(0) = -inf in the reference).
func fsplQ32(distanceM, freqHz uint64) (int64, bool) {
	if distanceM == 0 || freqHz == 0 {
		return 0, false
	}
	return 20*(log10Q32(distanceM)+log10Q32(freqHz)) + fsplConstQ32, true
}

// rssiPlausible reports whether a witness signal (tenths of dBm) is at most
// tx_power + beaconer_gain − FSPL + witness_gain, the free-space bound of
// iot_verifier/src/poc.rs verify_witness_rssi. Gains are tenths of dBi and,
// as there, truncated to whole dB.
func rssiPlausible(signalDdBm int32, freqHz uint64, txPowerDBm, beaconerGainDdBi, witnessGainDdBi int32, distM uint64) bool {
	fspl, ok := fsplQ32(distM, freqHz)
	if !ok {
		return true
	}
	return underFreeSpace(signalDdBm, txPowerDBm, beaconerGainDdBi, witnessGainDdBi, fspl)
}

// underFreeSpace is rssiPlausible's comparison, given the path loss.
func underFreeSpace(signalDdBm, txPowerDBm, beaconerGainDdBi, witnessGainDdBi int32, fspl int64) bool {
	budget := int64(txPowerDBm) + int64(beaconerGainDdBi/10) + int64(witnessGainDdBi/10)
	lhs := int64(signalDdBm) << 32
	rhs := (budget*10)<<32 - 10*fspl
	return lhs <= rhs
}

// logCacheBits sizes logCache: 4,096 entries, 64 KiB.
const logCacheBits = 12

// logCache remembers log10Q32 of the arguments it was last asked for, by a
// hash of the argument, one entry per slot. The free-space bound takes the
// logarithm of a distance in metres and of a frequency in Hz for every
// witness, and an epoch has few distinct frequencies (a region's channels)
// and, between neighbours, few distinct distances, so most logarithms are
// found here instead of computed by 32 squarings. A hit returns exactly
// what log10Q32 returns (TestLogCacheMatches).
type logCache struct {
	key [1 << logCacheBits]uint64 // 0: empty (log10Q32 is never asked for 0)
	val [1 << logCacheBits]int64
}

func (c *logCache) log10(x uint64) int64 {
	i := (x * 0x9e3779b97f4a7c15) >> (64 - logCacheBits)
	if c.key[i] == x {
		return c.val[i]
	}
	v := log10Q32(x)
	c.key[i], c.val[i] = x, v
	return v
}

// rssiPlausible is the package's rssiPlausible with the logarithms from c.
func (c *logCache) rssiPlausible(signalDdBm int32, freqHz uint64, txPowerDBm, beaconerGainDdBi, witnessGainDdBi int32, distM uint64) bool {
	if distM == 0 || freqHz == 0 {
		return true
	}
	fspl := 20*(c.log10(distM)+c.log10(freqHz)) + fsplConstQ32
	return underFreeSpace(signalDdBm, txPowerDBm, beaconerGainDdBi, witnessGainDdBi, fspl)
}
