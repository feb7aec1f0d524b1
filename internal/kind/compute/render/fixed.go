package render

// Fixed-point numbers: Q16.16 in an int64 (one = 1.0).
const (
	fracBits = 16
	one      = int64(1) << fracBits
)

// vec is a vector of Q16.16 components.
type vec struct{ x, y, z int64 }

func (a vec) add(b vec) vec { return vec{a.x + b.x, a.y + b.y, a.z + b.z} }
func (a vec) sub(b vec) vec { return vec{a.x - b.x, a.y - b.y, a.z - b.z} }

// scale multiplies by a Q16.16 scalar.
func (a vec) scale(s int64) vec { return vec{mul(a.x, s), mul(a.y, s), mul(a.z, s)} }

// dot is the Q16.16 dot product.
func (a vec) dot(b vec) int64 { return mul(a.x, b.x) + mul(a.y, b.y) + mul(a.z, b.z) }

// mul multiplies two Q16.16 numbers; the shift of a signed value is an
// arithmetic shift (floor), the same on every platform.
func mul(a, b int64) int64 { return (a * b) >> fracBits }

// div divides two Q16.16 numbers, truncating toward zero; b must not be 0.
func div(a, b int64) int64 { return (a << fracBits) / b }

// isqrt is the integer square root of v >= 0: the largest r with r*r <= v.
func isqrt(v uint64) uint64 {
	if v < 2 {
		return v
	}
	var r uint64
	bit := uint64(1) << 62
	for bit > v {
		bit >>= 2
	}
	for bit != 0 {
		if v >= r+bit {
			v -= r + bit
			r = r>>1 + bit
		} else {
			r >>= 1
		}
		bit >>= 2
	}
	return r
}

// sqrt is the Q16.16 square root of a >= 0 (0 for a < 0).
func sqrt(a int64) int64 {
	if a <= 0 {
		return 0
	}
	return int64(isqrt(uint64(a) << fracBits))
}

// length is the Q16.16 length of a.
func (a vec) length() int64 { return sqrt(a.dot(a)) }

// norm returns a scaled to unit length (a itself when its length is 0).
func (a vec) norm() vec {
	l := a.length()
	if l == 0 {
		return a
	}
	return vec{div(a.x, l), div(a.y, l), div(a.z, l)}
}

// fromMilli converts thousandths to Q16.16.
func fromMilli(m int64) int64 { return m * one / 1000 }
