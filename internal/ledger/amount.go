package ledger

import "math/bits"

// Add returns a+b and false if the sum overflows uint64.
func Add(a, b uint64) (uint64, bool) {
	s, carry := bits.Add64(a, b, 0)
	return s, carry == 0
}

// Sub returns a-b and false if b > a.
func Sub(a, b uint64) (uint64, bool) {
	d, borrow := bits.Sub64(a, b, 0)
	return d, borrow == 0
}

// MulDiv returns floor(a*b/c) computed with a 128-bit intermediate, and false
// if c is zero or the quotient does not fit in uint64.
func MulDiv(a, b, c uint64) (uint64, bool) {
	if c == 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, c)
	return q, true
}
