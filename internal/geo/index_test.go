package geo

import (
	"slices"
	"testing"

	"github.com/uber/h3-go/v4"
	"pgregory.net/rapid"
)

// The Go index arithmetic (index.go, ijk.go) against the C library.

func TestPentagonBaseCells(t *testing.T) {
	n := 0
	for b := 0; b < numBaseCells; b++ {
		c := h3.Cell(uint64(cellMode)<<59 | uint64(b)<<baseShift | allDigits)
		if !c.IsValid() {
			t.Fatalf("base cell %d: %x is not valid", b, uint64(c))
		}
		if got, want := pentagonBase[b], c.IsPentagon(); got != want {
			t.Errorf("base cell %d: pentagon %v, C library says %v", b, got, want)
		}
		if pentagonBase[b] {
			n++
		}
	}
	if n != 12 {
		t.Errorf("got %d pentagon base cells, want 12", n)
	}
}

// drawCell draws a valid cell: any base cell (pentagons included), any
// resolution up to maxRes, any digits.
func drawCell(t *rapid.T, label string, maxRes int) uint64 {
	b := rapid.IntRange(0, numBaseCells-1).Draw(t, label+" base")
	res := rapid.IntRange(0, maxRes).Draw(t, label+" res")
	h := uint64(cellMode)<<59 | uint64(res)<<resShift | uint64(b)<<baseShift | allDigits
	first := true
	for r := 1; r <= res; r++ {
		d := rapid.IntRange(0, 6).Draw(t, label+" digit")
		if first && d != 0 {
			first = false
			if d == 1 && pentagonBase[b] {
				d = 2
			}
		}
		h = h&^(digitMask<<digitShift(r)) | uint64(d)<<digitShift(r)
	}
	return h
}

// drawNearPentagon draws a valid cell of a pentagon base cell whose first
// digits are 0, so that walks from it cross between the pentagon's sectors.
func drawNearPentagon(t *rapid.T, label string) uint64 {
	h := drawCell(t, label, 15)
	b := []int{4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117}[rapid.IntRange(0, 11).Draw(t, label+" pentagon")]
	h = h&^(0x7f<<baseShift) | uint64(b)<<baseShift
	zeros := rapid.IntRange(0, cellRes(h)).Draw(t, label+" zero digits")
	for r := 1; r <= zeros; r++ {
		h &^= digitMask << digitShift(r)
	}
	if !isValidCell(h) {
		// The first non-zero digit is 1, the deleted sector.
		r := zeros + 1
		h = h&^(digitMask<<digitShift(r)) | 2<<digitShift(r)
	}
	return h
}

func TestIsValidMatchesC(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := drawCell(t, "cell", 15)
		if !h3.Cell(h).IsValid() {
			t.Fatalf("drawn cell %x is not valid in C", h)
		}
		// Damage it: flip bits, put a 7 among the digits or a non-7 after
		// them, make the first digit of a pentagon 1, or draw any word.
		switch rapid.IntRange(0, 5).Draw(t, "damage") {
		case 1:
			h ^= 1 << rapid.IntRange(0, 63).Draw(t, "bit")
		case 2:
			h ^= 1<<rapid.IntRange(0, 63).Draw(t, "bit") | 1<<rapid.IntRange(0, 63).Draw(t, "bit2")
		case 3:
			r := rapid.IntRange(1, 15).Draw(t, "digit at")
			h = h&^(digitMask<<digitShift(r)) | uint64(rapid.IntRange(0, 7).Draw(t, "digit"))<<digitShift(r)
		case 4:
			b := []int{4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117}[rapid.IntRange(0, 11).Draw(t, "pentagon")]
			h = h&^(0x7f<<baseShift) | uint64(b)<<baseShift
			if r := cellRes(h); r > 0 {
				r = rapid.IntRange(1, r).Draw(t, "leading digit at")
				h &^= allDigits &^ (uint64(allDigits) >> (uint(r) * digitBits))
				h |= uint64(rapid.IntRange(0, 2).Draw(t, "leading digit")) << digitShift(r)
			}
		case 5:
			h = rapid.Uint64().Draw(t, "word")
		}
		if got, want := IsValid(h), h3.Cell(h).IsValid(); got != want {
			t.Fatalf("IsValid(%x) = %v, C library says %v", h, got, want)
		}
		if IsValid(h) {
			if got, want := Resolution(h), h3.Cell(h).Resolution(); got != want {
				t.Fatalf("Resolution(%x) = %d, C library says %d", h, got, want)
			}
		}
	})
}

func TestParentMatchesC(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := drawCell(t, "cell", 15)
		res := rapid.IntRange(0, cellRes(h)).Draw(t, "parent res")
		got, err := Parent(h, res)
		if err != nil {
			t.Fatal(err)
		}
		want, err := h3.Cell(h).Parent(res)
		if err != nil {
			t.Fatal(err)
		}
		if got != uint64(want) {
			t.Fatalf("Parent(%x, %d) = %x, C library says %x", h, res, got, uint64(want))
		}
	})
}

// cGridDistance is the C library's answer.
func cGridDistance(a, b uint64) (int64, bool) {
	d, err := h3.GridDistance(h3.Cell(a), h3.Cell(b))
	return int64(d), err == nil
}

// TestGridDistanceMatchesC draws pairs near each other (a random walk of up
// to 40 steps, which crosses base-cell edges and reaches pentagons at coarse
// resolutions), pairs anywhere in one base cell (far apart, both in its
// corners included) and pairs of unrelated cells, and requires GridDistance
// to give the C library's distance, or its error.
func TestGridDistanceMatchesC(t *testing.T) {
	var fast, slow, near int
	rapid.Check(t, func(t *rapid.T) {
		var a uint64
		if rapid.Bool().Draw(t, "near a pentagon") {
			a = drawNearPentagon(t, "a")
		} else {
			a = drawCell(t, "a", 15)
		}
		var b uint64
		switch rapid.IntRange(0, 3).Draw(t, "pair") {
		case 0, 1: // near: a random walk
			b = a
			for range rapid.IntRange(1, 40).Draw(t, "steps") {
				disk, err := h3.GridDisk(h3.Cell(b), 1)
				if err != nil {
					t.Fatal(err)
				}
				var cells []h3.Cell
				for _, c := range disk {
					if c != 0 {
						cells = append(cells, c)
					}
				}
				b = uint64(cells[rapid.IntRange(0, len(cells)-1).Draw(t, "step")])
			}
			near++
		case 2: // far, in the same base cell
			b = drawCell(t, "b", 15)
			b = b&^(0x7f<<baseShift|0xf<<resShift|allDigits) | a&(0x7f<<baseShift|0xf<<resShift)
			for r := 1; r <= cellRes(a); r++ {
				b |= uint64(rapid.IntRange(0, 6).Draw(t, "b digit")) << digitShift(r)
			}
			b |= uint64(allDigits) >> (uint(cellRes(a)) * digitBits)
			if !IsValid(b) {
				b = a
			}
		case 3:
			b = drawCell(t, "b", 15)
		}
		want, wantOK := cGridDistance(a, b)
		got, err := GridDistance(a, b)
		if (err == nil) != wantOK || (wantOK && got != want) {
			t.Fatalf("GridDistance(%x, %x) = %d, %v; C library says %d, ok %v", a, b, got, err, want, wantOK)
		}
		if _, ok := fastGridDistance(a, b); ok {
			fast++
		} else {
			slow++
		}
	})
	// The Go path must have been taken, and the C one too.
	if fast == 0 || slow == 0 || near == 0 {
		t.Fatalf("pairs: %d measured in Go, %d in C, %d near", fast, slow, near)
	}
}

// TestGridDistanceFleetCells does the same for the fleets the scorer meets:
// resolution-8 parents of cells a few kilometres apart, around base-cell
// edges (Berlin's base cell and its neighbours).
func TestGridDistanceFleetCells(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lat := rapid.Int64Range(40*E7, 65*E7).Draw(t, "lat")
		lng := rapid.Int64Range(-10*E7, 40*E7).Draw(t, "lng")
		a, err := CellFromLatLng(lat, lng, 8)
		if err != nil {
			t.Fatal(err)
		}
		dl := rapid.Int64Range(-E7/10, E7/10).Draw(t, "dlat")
		dn := rapid.Int64Range(-E7/10, E7/10).Draw(t, "dlng")
		b, err := CellFromLatLng(lat+dl, lng+dn, 8)
		if err != nil {
			t.Fatal(err)
		}
		want, wantOK := cGridDistance(a, b)
		got, err := GridDistance(a, b)
		if (err == nil) != wantOK || (wantOK && got != want) {
			t.Fatalf("GridDistance(%x, %x) = %d, %v; C library says %d, ok %v", a, b, got, err, want, wantOK)
		}
	})
}

// cDisk1 is the C library's disk of radius 1, sorted, without padding.
func cDisk1(t *rapid.T, h uint64) []uint64 {
	disk, err := h3.GridDisk(h3.Cell(h), 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, c := range disk {
		if c != 0 {
			out = append(out, uint64(c))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestGridDiskMatchesC draws cells anywhere and cells a random walk away
// from them (base-cell edges and pentagons included) and requires the disk
// of radius 1 to be the C library's.
func TestGridDiskMatchesC(t *testing.T) {
	var fast, slow int
	rapid.Check(t, func(t *rapid.T) {
		var h uint64
		if rapid.Bool().Draw(t, "near a pentagon") {
			h = drawNearPentagon(t, "cell")
		} else {
			h = drawCell(t, "cell", 15)
		}
		for range rapid.IntRange(0, 30).Draw(t, "steps") {
			disk := cDisk1(t, h)
			h = disk[rapid.IntRange(0, len(disk)-1).Draw(t, "step")]
		}
		got, err := GridDisk(h, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := cDisk1(t, h); !slices.Equal(got, want) {
			t.Fatalf("GridDisk(%x, 1) = %x, C library says %x", h, got, want)
		}
		if _, ok := fastDisk1(h); ok {
			fast++
		} else {
			slow++
		}
	})
	if fast == 0 || slow == 0 {
		t.Fatalf("disks: %d computed in Go, %d in C", fast, slow)
	}
}

func BenchmarkGridDistance(b *testing.B) {
	a, _ := CellFromLatLng(525200000, 134050000, 8)
	c, _ := CellFromLatLng(525300000, 134150000, 8)
	b.Run("go", func(b *testing.B) {
		for range b.N {
			if _, err := GridDistance(a, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("c", func(b *testing.B) {
		for range b.N {
			if _, ok := cGridDistance(a, c); !ok {
				b.Fatal("no distance")
			}
		}
	})
}
