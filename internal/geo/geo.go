package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
)

// MaxResolution is the finest H3 resolution.
const MaxResolution = 15

// ErrInvalidCell is wrapped by every error about a cell that is not a valid
// H3 cell index or a resolution outside 0..15.
var ErrInvalidCell = errors.New("invalid h3 cell")

// E7 is the number of coordinate units per degree.
const E7 = 10_000_000

// LatLng is a point in 1e-7 degrees (latitude -90e7..90e7, longitude
// -180e7..180e7).
type LatLng struct {
	LatE7 int64
	LngE7 int64
}

// String renders the point in decimal degrees without floating point.
func (p LatLng) String() string {
	return e7String(p.LatE7) + "," + e7String(p.LngE7)
}

func e7String(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%07d", sign, v/E7, v%E7)
}

// IsValid reports whether cell is a valid H3 cell (hexagon or pentagon).
func IsValid(cell uint64) bool {
	return isValidCell(cell)
}

// Resolution returns the resolution of cell, or -1 if it is not a valid cell.
func Resolution(cell uint64) int {
	if !IsValid(cell) {
		return -1
	}
	return cellRes(cell)
}

// Parent returns the ancestor of cell at resolution res (the cell itself when
// res equals its resolution).
func Parent(cell uint64, res int) (uint64, error) {
	r := Resolution(cell)
	if r < 0 {
		return 0, fmt.Errorf("geo: parent of %x: %w", cell, ErrInvalidCell)
	}
	if res < 0 || res > r {
		return 0, fmt.Errorf("geo: parent of %x at resolution %d: cell has resolution %d: %w", cell, res, r, ErrInvalidCell)
	}
	return cellParent(cell, res), nil
}

// GridDistance returns the number of grid steps between two cells of the
// same resolution. H3 cannot compute it for cells far apart (across
// icosahedron faces or pentagon distortion); that is an error. Two cells of
// one hexagon base cell are measured in Go (ijk.go), all others by the C
// library.
func GridDistance(a, b uint64) (int64, error) {
	if !IsValid(a) || !IsValid(b) {
		return 0, fmt.Errorf("geo: grid distance %x to %x: %w", a, b, ErrInvalidCell)
	}
	if d, ok := fastGridDistance(a, b); ok {
		return d, nil
	}
	d, err := h3.GridDistance(h3.Cell(a), h3.Cell(b))
	if err != nil {
		return 0, fmt.Errorf("geo: grid distance %x to %x: %w", a, b, err)
	}
	return int64(d), nil
}

// GridDisk returns the cells within k grid steps of cell (including cell),
// sorted ascending. The disk of radius 1 around a cell whose neighbours are
// all in its own hexagon base cell is computed in Go (ijk.go), all others by
// the C library.
func GridDisk(cell uint64, k int) ([]uint64, error) {
	if !IsValid(cell) {
		return nil, fmt.Errorf("geo: grid disk of %x: %w", cell, ErrInvalidCell)
	}
	if k < 0 {
		return nil, fmt.Errorf("geo: grid disk of %x: negative k %d", cell, k)
	}
	if k == 1 {
		if d, ok := fastDisk1(cell); ok {
			return d, nil
		}
	}
	cells, err := h3.GridDisk(h3.Cell(cell), k)
	if err != nil {
		return nil, fmt.Errorf("geo: grid disk of %x: %w", cell, err)
	}
	out := make([]uint64, 0, len(cells))
	for _, c := range cells {
		if c != 0 {
			out = append(out, uint64(c))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Center returns the centre of cell in 1e-7 degrees, rounded to nearest.
func Center(cell uint64) (LatLng, error) {
	if !IsValid(cell) {
		return LatLng{}, fmt.Errorf("geo: center of %x: %w", cell, ErrInvalidCell)
	}
	ll, err := h3.CellToLatLng(h3.Cell(cell))
	if err != nil {
		return LatLng{}, fmt.Errorf("geo: center of %x: %w", cell, err)
	}
	return LatLng{LatE7: int64(math.Round(ll.Lat * E7)), LngE7: int64(math.Round(ll.Lng * E7))}, nil
}

// CellFromLatLng returns the cell containing the point at resolution res. It
// is for clients and the simulated fleet, never for consensus code.
func CellFromLatLng(latE7, lngE7 int64, res int) (uint64, error) {
	if latE7 < -90*E7 || latE7 > 90*E7 || lngE7 < -180*E7 || lngE7 > 180*E7 {
		return 0, fmt.Errorf("geo: cell from %s: coordinates out of range", LatLng{latE7, lngE7})
	}
	if res < 0 || res > MaxResolution {
		return 0, fmt.Errorf("geo: cell from %s: resolution %d outside 0..%d: %w", LatLng{latE7, lngE7}, res, MaxResolution, ErrInvalidCell)
	}
	c, err := h3.LatLngToCell(h3.NewLatLng(float64(latE7)/E7, float64(lngE7)/E7), res)
	if err != nil {
		return 0, fmt.Errorf("geo: cell from %s: %w", LatLng{latE7, lngE7}, err)
	}
	return uint64(c), nil
}

// H3 adapts the package functions to the geometry interface that
// internal/kind/coverage declares. Its zero value is ready to use.
type H3 struct{}

// IsValid reports whether cell is a valid H3 cell.
func (H3) IsValid(cell uint64) bool { return IsValid(cell) }

// Resolution returns the resolution of cell, or -1 if it is invalid.
func (H3) Resolution(cell uint64) int { return Resolution(cell) }

// Parent returns the ancestor of cell at resolution res.
func (H3) Parent(cell uint64, res int) (uint64, error) { return Parent(cell, res) }

// GridDistance returns the grid distance between two cells.
func (H3) GridDistance(a, b uint64) (int64, error) { return GridDistance(a, b) }

// GridDisk returns the sorted cells within k steps of cell.
func (H3) GridDisk(cell uint64, k int) ([]uint64, error) { return GridDisk(cell, k) }

// CenterE7 returns the centre of cell in 1e-7 degrees.
func (H3) CenterE7(cell uint64) (latE7, lngE7 int64, err error) {
	p, err := Center(cell)
	return p.LatE7, p.LngE7, err
}
