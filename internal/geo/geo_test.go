package geo

import (
	"errors"
	"testing"
)

// sfCell is LatLngToCell(37.7759, -122.4180, 9), the value measured in
// reference/engineering.md §4 and used in the H3 documentation.
const sfCell uint64 = 0x8928308280fffff

func TestCellFromLatLngKnownCell(t *testing.T) {
	got, err := CellFromLatLng(377759000, -1224180000, 9)
	if err != nil {
		t.Fatalf("CellFromLatLng: %v", err)
	}
	if got != sfCell {
		t.Fatalf("got %x, want %x", got, sfCell)
	}
}

func TestResolutionAndValidity(t *testing.T) {
	tests := []struct {
		name  string
		cell  uint64
		valid bool
		res   int
	}{
		{"res 9 cell", sfCell, true, 9},
		{"its res 8 parent", 0x8828308281fffff, true, 8},
		{"zero", 0, false, -1},
		{"garbage", 0xffffffffffffffff, false, -1},
		{"res 9 cell with broken mode bits", sfCell &^ (0xf << 59), false, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsValid(tt.cell); got != tt.valid {
				t.Errorf("IsValid: got %v, want %v", got, tt.valid)
			}
			if got := Resolution(tt.cell); got != tt.res {
				t.Errorf("Resolution: got %d, want %d", got, tt.res)
			}
		})
	}
}

func TestParent(t *testing.T) {
	// An H3 parent sets the resolution field and fills the finer digits with
	// 7; for sfCell at res 8 that gives 0x8828308281fffff.
	tests := []struct {
		name    string
		cell    uint64
		res     int
		want    uint64
		wantErr bool
	}{
		{"res 8", sfCell, 8, 0x8828308281fffff, false},
		{"same res", sfCell, 9, sfCell, false},
		{"finer res", sfCell, 10, 0, true},
		{"negative res", sfCell, -1, 0, true},
		{"invalid cell", 0, 5, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parent(tt.cell, tt.res)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidCell) {
				t.Errorf("err %v does not wrap ErrInvalidCell", err)
			}
			if got != tt.want {
				t.Errorf("got %x, want %x", got, tt.want)
			}
		})
	}
	p5, err := Parent(sfCell, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := Resolution(p5); got != 5 {
		t.Errorf("resolution of res-5 parent: got %d, want 5", got)
	}
}

func TestGridDiskAndDistance(t *testing.T) {
	disk, err := GridDisk(sfCell, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(disk) != 7 {
		t.Fatalf("k=1 disk: got %d cells, want 7", len(disk))
	}
	for i := 1; i < len(disk); i++ {
		if disk[i-1] >= disk[i] {
			t.Fatalf("disk not sorted ascending at %d: %x >= %x", i, disk[i-1], disk[i])
		}
	}
	seenSelf := false
	for _, c := range disk {
		d, err := GridDistance(sfCell, c)
		if err != nil {
			t.Fatal(err)
		}
		want := int64(1)
		if c == sfCell {
			want, seenSelf = 0, true
		}
		if d != want {
			t.Errorf("distance to %x: got %d, want %d", c, d, want)
		}
	}
	if !seenSelf {
		t.Error("disk does not contain its centre")
	}
	disk2, err := GridDisk(sfCell, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(disk2) != 19 {
		t.Errorf("k=2 disk: got %d cells, want 19", len(disk2))
	}
	if _, err := GridDisk(0, 1); !errors.Is(err, ErrInvalidCell) {
		t.Errorf("disk of invalid cell: got %v, want ErrInvalidCell", err)
	}
	if _, err := GridDisk(sfCell, -1); err == nil {
		t.Error("negative k: got nil error")
	}
	if _, err := GridDistance(sfCell, 0); !errors.Is(err, ErrInvalidCell) {
		t.Errorf("distance to invalid cell: got %v, want ErrInvalidCell", err)
	}
}

func TestCenterRoundTrip(t *testing.T) {
	c, err := Center(sfCell)
	if err != nil {
		t.Fatal(err)
	}
	// A res-9 hexagon has an edge of about 174 m (0.0016 degrees); the point
	// it was built from lies inside it.
	if d := abs(c.LatE7 - 377759000); d > 30_000 {
		t.Errorf("centre latitude %s too far from 37.7759", c)
	}
	if d := abs(c.LngE7 - -1224180000); d > 30_000 {
		t.Errorf("centre longitude %s too far from -122.4180", c)
	}
	back, err := CellFromLatLng(c.LatE7, c.LngE7, 9)
	if err != nil {
		t.Fatal(err)
	}
	if back != sfCell {
		t.Errorf("cell of centre: got %x, want %x", back, sfCell)
	}
	if _, err := Center(0); !errors.Is(err, ErrInvalidCell) {
		t.Errorf("center of invalid cell: got %v, want ErrInvalidCell", err)
	}
	var g H3
	lat, lng, err := g.CenterE7(sfCell)
	if err != nil || lat != c.LatE7 || lng != c.LngE7 {
		t.Errorf("H3.CenterE7: got %d,%d,%v, want %d,%d,nil", lat, lng, err, c.LatE7, c.LngE7)
	}
}

func TestCellFromLatLngRejects(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng int64
		res      int
	}{
		{"latitude above 90", 90*E7 + 1, 0, 9},
		{"longitude below -180", 0, -180*E7 - 1, 9},
		{"resolution 16", 0, 0, 16},
		{"resolution -1", 0, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c, err := CellFromLatLng(tt.lat, tt.lng, tt.res); err == nil {
				t.Errorf("got cell %x, want an error", c)
			}
		})
	}
}

func TestLatLngString(t *testing.T) {
	got := LatLng{LatE7: 377759000, LngE7: -1224180005}.String()
	if want := "37.7759000,-122.4180005"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
