package geo

import "slices"

// Grid distance in Go, for the common case (h3geo.org/docs/core-library/
// coordsystems, "IJK Coordinates"): H3's gridDistance puts both cells in the
// local IJK frame of the first cell's base cell and measures the hex
// distance there. When both cells lie in the same base cell and that base
// cell is a hexagon, the frame is the base cell's own, with no rotation, and
// a cell's coordinates follow from its digits alone: starting at the base
// cell's centre (0,0,0), each resolution scales the coordinates by the
// aperture-7 step of its class (counter-clockwise for class III, the odd
// resolutions, clockwise for class II) and moves one unit in the direction of
// the digit. Every other case (different base cells, a pentagon base cell) is
// left to the C library, which applies the base-cell neighbour and pentagon
// rotations. TestGridDistanceMatchesC compares the two.

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

// baseLocal returns the coordinates of a valid cell in its base cell's frame
// and whether that frame is rotation-free for gridDistance (a hexagon base
// cell).
func baseLocal(h uint64) (axial, bool) {
	if pentagonBase[cellBase(h)] {
		return axial{}, false
	}
	var c axial
	res := cellRes(h)
	for r := 1; r <= res; r++ {
		c = c.down(r%2 == 1)
		u := unitAxial[digit(h, r)]
		c.x += u.x
		c.y += u.y
	}
	return c, true
}

// axialDistance is the number of grid steps between two coordinates: the
// largest component of the normalised IJK difference, which for
// (x, y) = (i−k, j−k) is max(|x|, |y|, |x−y|).
func axialDistance(a, b axial) int64 {
	x, y := a.x-b.x, a.y-b.y
	return max(abs64(x), abs64(y), abs64(x-y))
}

// fastGridDistance is the grid distance of two valid cells computed in Go,
// and false when the case is left to the C library: different resolutions,
// different base cells or a pentagon base cell.
func fastGridDistance(a, b uint64) (int64, bool) {
	if cellRes(a) != cellRes(b) || cellBase(a) != cellBase(b) {
		return 0, false
	}
	ca, ok := baseLocal(a)
	if !ok {
		return 0, false
	}
	cb, _ := baseLocal(b)
	return axialDistance(ca, cb), true
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

// localCell is the inverse of baseLocal: the cell of resolution res of the
// hexagon base cell base at coordinates c, and false when c lies outside
// that base cell.
func localCell(base, res int, c axial) (uint64, bool) {
	h := uint64(cellMode)<<59 | uint64(res)<<resShift | uint64(base)<<baseShift | uint64(allDigits)>>(uint(res)*digitBits)
	for r := res; r >= 1; r-- {
		p := c.up(r%2 == 1)
		ctr := p.down(r%2 == 1)
		d := axial{c.x - ctr.x, c.y - ctr.y}
		digit := -1
		for i, u := range unitAxial {
			if u == d {
				digit = i
				break
			}
		}
		if digit < 0 {
			return 0, false
		}
		h |= uint64(digit) << digitShift(r)
		c = p
	}
	return h, c == axial{}
}

// fastDisk1 is GridDisk(h, 1) computed in Go, sorted ascending, and false
// when the cell or one of its neighbours is outside its hexagon base cell
// (or the base cell is a pentagon), which is left to the C library.
func fastDisk1(h uint64) ([]uint64, bool) {
	c, ok := baseLocal(h)
	if !ok {
		return nil, false
	}
	base, res := cellBase(h), cellRes(h)
	out := make([]uint64, 0, 7)
	out = append(out, h)
	for _, u := range unitAxial[1:] {
		n, ok := localCell(base, res, axial{c.x + u.x, c.y + u.y})
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, true
}
