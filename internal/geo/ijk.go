package geo

import (
	"math/bits"
	"slices"
)

// Grid distance in Go, for the common case (h3geo.org/docs/core-library/
// coordsystems, "IJK Coordinates"): H3's gridDistance puts both cells in the
// local IJK frame of the first cell's base cell and measures the hex
// distance there. When both cells lie in the same base cell and that base
// cell is a hexagon, the frame is the base cell's own, with no rotation, and
// a cell's coordinates follow from its digits alone: starting at the base
// cell's centre (0,0,0), each resolution scales the coordinates by the
// aperture-7 step of its class (counter-clockwise for class III, the odd
// resolutions, clockwise for class II) and moves one unit in the direction of
// the digit. In a pentagon base cell the same holds for two cells of one
// sector (the same leading digit). Every other case (different base cells,
// different sectors of a pentagon) is left to the C library, which applies
// the base-cell neighbour and pentagon rotations. TestGridDistanceMatchesC and
// TestGridDiskMatchesC compare the two.

// A cell's IJK coordinates are kept as the pair (x, y) = (i−k, j−k), which
// every IJK triple of the same cell shares (H3 normalises a triple by adding
// the same number to its three components), so no normalisation is needed.
type axial struct{ x, y int64 }

// unitAxial are the unit steps of the digits 0–6 (centre, K, J, JK, I, IK,
// IJ: (0,0,1), (0,1,0), (0,1,1), (1,0,0), (1,0,1), (1,1,0) in IJK).
var unitAxial = [7]axial{{0, 0}, {-1, -1}, {0, 1}, {-1, 0}, {1, 0}, {0, -1}, {1, 1}}

// down is the centre of c's aperture-7 children one resolution finer. In IJK
// the unit vectors of resolution r are, at r+1, i → (3,0,1), j → (1,3,0),
// k → (0,1,3) counter-clockwise (class III children) and i → (3,1,0),
// j → (0,3,1), k → (1,0,3) clockwise; in (x, y) that is the linear maps
// below.
func (c axial) down(ccw bool) axial {
	if ccw {
		return axial{2*c.x + c.y, 3*c.y - c.x}
	}
	return axial{3*c.x - c.y, c.x + 2*c.y}
}

// baseLocal returns the coordinates of a valid cell in its base cell's
// frame.
func baseLocal(h uint64) axial {
	var c axial
	res := cellRes(h)
	for r := 1; r <= res; r++ {
		c = c.down(r%2 == 1)
		u := unitAxial[digit(h, r)]
		c.x += u.x
		c.y += u.y
	}
	return c
}

// leadingDigit is the first non-zero digit of a valid cell, 0 if none.
func leadingDigit(h uint64) int {
	used := h & (allDigits &^ (uint64(allDigits) >> (uint(cellRes(h)) * digitBits)))
	if used == 0 {
		return 0
	}
	return digit(h, 15-(bits.Len64(used)-1)/digitBits)
}

// sameFrame reports whether gridDistance measures two valid cells of one
// resolution in their base cell's own frame, unrotated: the same base cell,
// and for a pentagon base cell the same leading digit (the same of its five
// sectors; other pairs are rotated or refused by H3's pentagon rules).
func sameFrame(a, b uint64) bool {
	if cellRes(a) != cellRes(b) || cellBase(a) != cellBase(b) {
		return false
	}
	return !pentagonBase[cellBase(a)] || leadingDigit(a) == leadingDigit(b)
}

// axialDistance is the number of grid steps between two coordinates: the
// largest component of the normalised IJK difference, which for
// (x, y) = (i−k, j−k) is max(|x|, |y|, |x−y|).
func axialDistance(a, b axial) int64 {
	x, y := a.x-b.x, a.y-b.y
	return max(abs64(x), abs64(y), abs64(x-y))
}

// fastGridDistance is the grid distance of two valid cells computed in Go,
// and false when the case is left to the C library (see sameFrame).
func fastGridDistance(a, b uint64) (int64, bool) {
	if !sameFrame(a, b) {
		return 0, false
	}
	return axialDistance(baseLocal(a), baseLocal(b)), true
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// up is the centre of the parent of the cell at c, one resolution coarser:
// the inverse of down, rounded to the nearest grid point (H3's _upAp7 and
// _upAp7r; n/7 is never halfway between two integers).
func (c axial) up(ccw bool) axial {
	if ccw {
		return axial{div7Round(3*c.x - c.y), div7Round(c.x + 2*c.y)}
	}
	return axial{div7Round(2*c.x + c.y), div7Round(3*c.y - c.x)}
}

// div7Round is n/7 rounded to the nearest integer.
func div7Round(n int64) int64 {
	q := (n + 3) / 7
	if (n+3)%7 < 0 {
		q--
	}
	return q
}

// digitOf maps a unit step (x+1)*3 + (y+1) to its digit; -1 is no step.
var digitOf = [9]int8{1, 3, -1, 5, 0, 2, -1, 4, 6}

// fastDisk1 is GridDisk(h, 1) computed in Go, sorted ascending, and false
// when a neighbour is outside h's base cell or, in a pentagon base cell,
// outside h's sector; those are left to the C library. Each neighbour's
// digits are found by walking up from its coordinates (the inverse of
// baseLocal) until it meets an ancestor of h, whose coarser digits it
// shares.
func fastDisk1(h uint64) ([]uint64, bool) {
	res := cellRes(h)
	if res == 0 {
		return nil, false
	}
	var anc [16]axial
	for r := 1; r <= res; r++ {
		c := anc[r-1].down(r%2 == 1)
		u := unitAxial[digit(h, r)]
		anc[r] = axial{c.x + u.x, c.y + u.y}
	}
	pent := pentagonBase[cellBase(h)]
	lead := leadingDigit(h)
	out := make([]uint64, 0, 7)
	out = append(out, h)
	for _, u := range unitAxial[1:] {
		c := axial{anc[res].x + u.x, anc[res].y + u.y}
		n := h
		r := res
		for ; r >= 1; r-- {
			ccw := r%2 == 1
			p := c.up(ccw)
			ctr := p.down(ccw)
			dx, dy := c.x-ctr.x, c.y-ctr.y
			if dx < -1 || dx > 1 || dy < -1 || dy > 1 || digitOf[(dx+1)*3+dy+1] < 0 {
				return nil, false
			}
			n = n&^(digitMask<<digitShift(r)) | uint64(digitOf[(dx+1)*3+dy+1])<<digitShift(r)
			if p == anc[r-1] {
				break
			}
			c = p
		}
		if r == 0 || (pent && leadingDigit(n) != lead) {
			return nil, false
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, true
}
