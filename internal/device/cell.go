package device

// H3 index bit layout of a cell (H3 v4, "H3 Index" in the H3 documentation,
// h3lib/include/h3Index.h): bit 63 reserved (0), bits 59-62 mode (1 = cell),
// bits 56-58 mode-dependent reserved bits (0 for a cell), bits 52-55
// resolution, bits 45-51 base cell, then fifteen 3-bit digits, digit 1 in
// bits 42-44 down to digit 15 in bits 0-2.
const (
	h3CellMode     = 1
	h3MaxRes       = 15
	h3NumBaseCells = 122
	h3DigitBits    = 3
	h3DigitMask    = 7
	h3CenterDigit  = 0
	h3KAxesDigit   = 1
	h3InvalidDigit = 7
	h3ResOffset    = 52
	h3BaseOffset   = 45
	h3ModeOffset   = 59
)

// h3PentagonBaseCells are the twelve base cells centred on icosahedron
// vertices (H3 baseCells.c, baseCellData isPentagon).
var h3PentagonBaseCells = [h3NumBaseCells]bool{
	4: true, 14: true, 24: true, 38: true, 49: true, 58: true,
	63: true, 72: true, 83: true, 97: true, 107: true, 117: true,
}

// IsValidCell reports whether h is a valid H3 cell index, following H3's
// isValidCell (h3lib/lib/h3Index.c): high bit clear, cell mode, reserved
// bits clear, base cell below 122, every digit up to the resolution in 0..6,
// every digit past it 7, and no pentagon cell whose first non-zero digit is
// 1 (the deleted K axes subsequence).
func IsValidCell(h uint64) bool {
	if h>>63 != 0 {
		return false
	}
	if (h>>h3ModeOffset)&0xf != h3CellMode {
		return false
	}
	if (h>>56)&0x7 != 0 {
		return false
	}
	base := int((h >> h3BaseOffset) & 0x7f)
	if base >= h3NumBaseCells {
		return false
	}
	res := CellResolution(h)
	leading := true
	for r := 1; r <= res; r++ {
		d := cellDigit(h, r)
		if leading && d != h3CenterDigit {
			leading = false
			if h3PentagonBaseCells[base] && d == h3KAxesDigit {
				return false
			}
		}
		if d == h3InvalidDigit {
			return false
		}
	}
	for r := res + 1; r <= h3MaxRes; r++ {
		if cellDigit(h, r) != h3InvalidDigit {
			return false
		}
	}
	return true
}

// CellResolution returns the resolution field of an H3 index (0..15). It
// does not check that the index is a valid cell.
func CellResolution(h uint64) int { return int((h >> h3ResOffset) & 0xf) }

func cellDigit(h uint64, r int) uint64 {
	return (h >> (uint(h3MaxRes-r) * h3DigitBits)) & h3DigitMask
}
