package energy

import "github.com/depin-network/depin/internal/device"

// H3 index layout (device/cell.go): resolution in bits 52-55, digit r in
// bits 3×(15-r) to 3×(15-r)+2, 7 past the resolution.
const (
	h3ResOffset = 52
	h3MaxRes    = 15
)

// Zone returns the grid zone of a grid cell: its H3 parent at resolution
// res, and false if cell is not a valid H3 cell of resolution res or finer.
func Zone(cell uint64, res uint64) (uint64, bool) {
	if !device.IsValidCell(cell) || uint64(device.CellResolution(cell)) < res || res > h3MaxRes {
		return 0, false
	}
	z := cell &^ (uint64(0xf) << h3ResOffset)
	z |= res << h3ResOffset
	for r := res + 1; r <= h3MaxRes; r++ {
		z |= uint64(7) << (3 * (h3MaxRes - r))
	}
	return z, true
}
