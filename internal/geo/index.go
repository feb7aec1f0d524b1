package geo

// The H3 cell index bit layout (h3geo.org/docs/core-library/h3Indexing,
// "H3 Cell Index"): bit 63 is 0, bits 59–62 the mode (1 for a cell), bits
// 56–58 reserved (0), bits 52–55 the resolution, bits 45–51 the base cell
// (0–121), then fifteen 3-bit digits, resolution 1 first; the digits finer
// than the resolution are 7. The functions below read and write those fields
// in Go, so that the calls the coverage scorer makes millions of times per
// epoch do not cross into C. Each is checked against the C library by the
// tests in index_test.go.

const (
	numBaseCells = 122
	cellMode     = 1
	resShift     = 52
	baseShift    = 45
	digitBits    = 3
	digitMask    = 7
	// allDigits has every digit of resolutions 1..15 set to 7.
	allDigits = 1<<45 - 1
	// lowDigitBits has the lowest bit of every digit set.
	lowDigitBits = allDigits / 7
)

// pentagonBase marks the twelve base cells that are pentagons (H3's base
// cell table: 4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117);
// TestPentagonBaseCells checks it against the C library.
var pentagonBase = func() (t [numBaseCells]bool) {
	for _, b := range []int{4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117} {
		t[b] = true
	}
	return t
}()

func cellRes(h uint64) int      { return int(h>>resShift) & 0xf }
func cellBase(h uint64) int     { return int(h>>baseShift) & 0x7f }
func digitShift(r int) uint     { return uint(15-r) * digitBits }
func digit(h uint64, r int) int { return int(h>>digitShift(r)) & digitMask }

// isValidCell is H3's isValidCell: the high bit clear, cell mode, reserved
// bits clear, a base cell below 122, digits 0–6 up to the resolution and 7
// after it, and no pentagon cell whose first non-zero digit is 1 (the
// deleted K axis sub-sequence of a pentagon).
func isValidCell(h uint64) bool {
	if h>>63 != 0 || (h>>59)&0xf != cellMode || (h>>56)&0x7 != 0 {
		return false
	}
	base := cellBase(h)
	if base >= numBaseCells {
		return false
	}
	res := cellRes(h)
	// The digits after the resolution must all be 7.
	unused := uint64(allDigits) >> (uint(res) * digitBits)
	if h&unused != unused {
		return false
	}
	// No used digit may be 7 (all three of its bits set).
	used := allDigits &^ unused
	if h&(h>>1)&(h>>2)&used&lowDigitBits != 0 {
		return false
	}
	if pentagonBase[base] {
		for r := 1; r <= res; r++ {
			if d := digit(h, r); d != 0 {
				return d != 1
			}
		}
	}
	return true
}

// cellParent is H3's cellToParent for a valid cell and 0 ≤ res ≤ its
// resolution: the resolution field set to res, the finer digits to 7.
func cellParent(h uint64, res int) uint64 {
	h = h&^(0xf<<resShift) | uint64(res)<<resShift
	unused := uint64(allDigits) >> (uint(res) * digitBits)
	return h | unused
}
