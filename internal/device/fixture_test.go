package device

import (
	"testing"

	"github.com/uber/h3-go/v4"
)

func TestFixtureCells(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng float64
		res      int
		want     uint64
	}{
		{"lisbon 12", 38.7223, -9.1393, 12, cellLisbon12},
		{"porto 12", 41.1579, -8.6291, 12, cellPorto12},
		{"lisbon 11", 38.7223, -9.1393, 11, cellLisbon11},
		{"lisbon 8", 38.7223, -9.1393, 8, cellLisbon8},
		{"lisbon 7", 38.7223, -9.1393, 7, cellLisbon7},
		{"lisbon 13", 38.7223, -9.1393, 13, cellLisbon13},
	}
	for _, tt := range tests {
		c, err := h3.LatLngToCell(h3.LatLng{Lat: tt.lat, Lng: tt.lng}, tt.res)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if uint64(c) != tt.want {
			t.Errorf("%s: got %#x, want %#x", tt.name, uint64(c), tt.want)
		}
	}
}
