package device

import (
	"math/rand/v2"
	"testing"

	"github.com/uber/h3-go/v4"
)

// checkCell compares IsValidCell with the H3 C library's isValidCell.
func checkCell(t *testing.T, h uint64, what string) {
	t.Helper()
	got := IsValidCell(h)
	want := h3.Cell(h).IsValid()
	if got != want {
		t.Fatalf("%s: IsValidCell(%#016x) = %v, want %v (h3-go)", what, h, got, want)
	}
}

func TestIsValidCellKnown(t *testing.T) {
	tests := []struct {
		name string
		h    uint64
		want bool
	}{
		// LatLngToCell(37.7759, -122.4180, 9) (reference/engineering.md §4).
		{"san francisco res 9", 0x8928308280fffff, true},
		{"zero", 0, false},
		{"all ones", ^uint64(0), false},
		{"res 0 base cell 0", 0x8001fffffffffff, true},
		{"res 0 base cell 121", 0x80f3fffffffffff, true},
		{"res 0 base cell 122", 0x80f5fffffffffff, false},
		{"high bit set", 0x8928308280fffff | 1<<63, false},
		{"directed edge mode", 0x8928308280fffff&^(0xf<<59) | 2<<59, false},
		{"reserved bit set", 0x8928308280fffff | 1<<56, false},
		{"digit 7 inside resolution", 0x8928308280fffff | 7<<(3*(15-9)), false},
		{"unused digit not 7", 0x8928308280fffff &^ 7, false},
	}
	for _, tt := range tests {
		if got := IsValidCell(tt.h); got != tt.want {
			t.Errorf("%s: IsValidCell(%#x) = %v, want %v", tt.name, tt.h, got, tt.want)
		}
		checkCell(t, tt.h, tt.name)
	}
}

func TestIsValidCellMatchesH3(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	res0, err := h3.Res0Cells()
	if err != nil {
		t.Fatalf("Res0Cells: %v", err)
	}
	var cells []uint64
	for _, c := range res0 {
		cells = append(cells, uint64(c))
		kids, err := c.Children(2)
		if err != nil {
			t.Fatalf("Children: %v", err)
		}
		for _, k := range kids {
			cells = append(cells, uint64(k))
		}
	}
	for res := 0; res <= h3MaxRes; res++ {
		pents, err := h3.Pentagons(res)
		if err != nil {
			t.Fatalf("Pentagons(%d): %v", res, err)
		}
		for _, p := range pents {
			cells = append(cells, uint64(p))
		}
	}
	for i := 0; i < 20000; i++ {
		ll := h3.LatLng{Lat: rng.Float64()*180 - 90, Lng: rng.Float64()*360 - 180}
		c, err := h3.LatLngToCell(ll, rng.IntN(h3MaxRes+1))
		if err != nil {
			t.Fatalf("LatLngToCell: %v", err)
		}
		cells = append(cells, uint64(c))
	}
	for _, h := range cells {
		if !IsValidCell(h) {
			t.Fatalf("IsValidCell(%#016x) = false for an h3-go cell, want true", h)
		}
		if got, want := CellResolution(h), h3.Cell(h).Resolution(); got != want {
			t.Fatalf("CellResolution(%#016x) = %d, want %d", h, got, want)
		}
		// Corruptions: every single-bit flip, and random digit rewrites.
		for b := 0; b < 64; b++ {
			checkCell(t, h^(1<<b), "bit flip")
		}
		for j := 0; j < 4; j++ {
			r := 1 + rng.IntN(h3MaxRes)
			shift := uint(h3MaxRes-r) * h3DigitBits
			checkCell(t, h&^(7<<shift)|uint64(rng.IntN(8))<<shift, "digit rewrite")
		}
		// Resolution changed without touching the digits.
		checkCell(t, h&^(0xf<<h3ResOffset)|uint64(rng.IntN(16))<<h3ResOffset, "resolution rewrite")
	}
}

// TestIsValidCellStructured draws indexes that pass the cheap header checks
// so that the digit and pentagon rules are exercised, not just the mode.
func TestIsValidCellStructured(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	valid := 0
	for i := 0; i < 200000; i++ {
		res := rng.IntN(h3MaxRes + 1)
		base := rng.IntN(128)
		h := uint64(h3CellMode)<<h3ModeOffset | uint64(res)<<h3ResOffset | uint64(base)<<h3BaseOffset
		for r := 1; r <= h3MaxRes; r++ {
			var d uint64
			switch {
			case r > res && rng.IntN(50) != 0:
				d = h3InvalidDigit
			case rng.IntN(3) == 0:
				d = 0 // long runs of leading zeros reach the pentagon rule
			default:
				d = uint64(rng.IntN(8))
			}
			h |= d << (uint(h3MaxRes-r) * h3DigitBits)
		}
		if IsValidCell(h) {
			valid++
		}
		checkCell(t, h, "structured")
	}
	if valid == 0 {
		t.Fatalf("structured draws produced no valid cell; the test exercises nothing")
	}
}

func TestIsValidCellRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		checkCell(t, rng.Uint64(), "random")
	}
}

func FuzzIsValidCell(f *testing.F) {
	f.Add(uint64(0x8928308280fffff))
	f.Add(uint64(0x8009fffffffffff))
	f.Add(uint64(0))
	f.Fuzz(func(t *testing.T, h uint64) {
		checkCell(t, h, "fuzz")
	})
}
