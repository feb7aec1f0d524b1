package explorer

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/indexer"
)

// MapLimit is the most devices /api/map sends one by one; beyond it, or
// zoomed out, it sends hexes.
const MapLimit = 2000

// Zoom levels at which the map switches from coarse hexes to mid hexes to
// devices.
const (
	MidZoom    = 6
	DeviceZoom = 9
)

// MapView is /api/map's answer.
type MapView struct {
	// Mode is "devices" or "hexes".
	Mode    string             `json:"mode"`
	Res     int                `json:"res,omitempty"`
	Devices []indexer.MapPoint `json:"devices,omitempty"`
	Hexes   []indexer.MapHex   `json:"hexes,omitempty"`
}

// parseBBox reads bbox=west,south,east,north in degrees.
func parseBBox(s string) (indexer.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return indexer.BBox{}, badRequestf("bbox must be west,south,east,north in degrees")
	}
	var v [4]int64
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return indexer.BBox{}, badRequestf("bbox: %.30q is not a number", p)
		}
		lim := 180.0
		if i%2 == 1 {
			lim = 90
		}
		// Leaflet reports longitudes beyond ±180 when the world wraps.
		if i%2 == 0 && (f < -180 || f > 180) {
			f = math.Max(-180, math.Min(180, f))
		}
		if f < -lim || f > lim {
			return indexer.BBox{}, badRequestf("bbox: %v is outside ±%v", f, lim)
		}
		v[i] = int64(math.Round(f * 1e7))
	}
	if v[1] > v[3] {
		return indexer.BBox{}, badRequestf("bbox: south %s is above north %s", parts[1], parts[3])
	}
	return indexer.BBox{West: v[0], South: v[1], East: v[2], North: v[3]}, nil
}

func (s *Server) mapData(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bb, err := parseBBox(q.Get("bbox"))
	if err != nil {
		s.fail(w, r, true, err)
		return
	}
	zoom, err := strconv.Atoi(q.Get("zoom"))
	if err != nil || zoom < 0 || zoom > 30 {
		s.fail(w, r, true, badRequestf("zoom must be an integer from 0 to 30"))
		return
	}
	ctx := r.Context()
	view := MapView{Mode: "devices"}
	if zoom >= DeviceZoom {
		pts, more, err := s.db.MapDevices(ctx, bb, MapLimit)
		if err != nil {
			s.fail(w, r, true, err)
			return
		}
		if !more {
			view.Devices = pts
			writeJSON(w, http.StatusOK, view)
			return
		}
	}
	view = MapView{Mode: "hexes", Res: indexer.CoarseRes}
	if zoom >= MidZoom {
		view.Res = indexer.MidRes
	}
	if view.Hexes, err = s.db.MapHexes(ctx, bb, view.Res); err != nil {
		s.fail(w, r, true, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}
