package sensor

import (
	"fmt"
	"time"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/params"
)

// Params are the scorer's tunable numbers.
type Params struct {
	ReadingIntervalNs  uint64 // expected time between readings (completeness)
	SlotNs             uint64 // uptime and neighbour slot length
	MaxClockDriftNs    uint64 // device clock vs receive time
	StuckWindowNs      uint64 // a value held this long is stuck
	MaxFixDistanceM    uint64 // station fix vs asserted cell centre
	MinFixSatellites   uint64 // fixes with fewer satellites are ignored
	MaxVehicleSpeedKmh uint64 // implied speed between two fixes
	MinQoD             uint64 // QoD below this earns nothing
	NeighbourRes       uint64 // resolution of the neighbour cells
	NeighbourRing      uint64 // k of the H3 ring of neighbours
	MinNeighbours      uint64 // stations (the device included) needed to judge a slot
	MADFactorPct       uint64 // deviation allowed, in percent of the scaled MAD
	MaxOutlierBps      uint64 // share of judged slots that may deviate
	SketchOverlapBps   uint64 // shared sketch entries that make a copy or replay
	CellRes            uint64 // resolution of the capacity cell
	MaxPerCell         uint64 // rewarded stations per capacity cell
	ClusterRes         uint64 // resolution of the cluster cell
}

// DefaultParams are WeatherXM-, GEODNET- and DIMO-like defaults.
func DefaultParams() Params {
	return Params{
		ReadingIntervalNs:  uint64(5 * time.Minute), // 288 readings a day
		SlotNs:             uint64(time.Hour),
		MaxClockDriftNs:    uint64(5 * time.Minute),
		StuckWindowNs:      uint64(time.Hour), // WeatherXM: constant over an hour
		MaxFixDistanceM:    500,
		MinFixSatellites:   4,
		MaxVehicleSpeedKmh: 300,
		MinQoD:             80, // WeatherXM DATA_QUALITY_THRESHOLD
		NeighbourRes:       7,
		NeighbourRing:      1,
		MinNeighbours:      4,
		MADFactorPct:       400, // 4 x 1.4826 MAD
		MaxOutlierBps:      3000,
		SketchOverlapBps:   5000,
		CellRes:            7,  // ~5.2 km2, WeatherXM's ~5 km2 cell
		MaxPerCell:         10, // WeatherXM cell capacity
		ClusterRes:         10, // ~66 m edge: GEODNET's stations within 100 m share
	}
}

// spec ties a Params field to its chain parameter.
type spec struct {
	params.Spec
	field func(*Params) *uint64
}

func specs() []spec {
	d := DefaultParams()
	s := func(name string, def, lo, hi uint64, unit, doc string, f func(*Params) *uint64) spec {
		return spec{params.Spec{Name: Name + "." + name, Default: def, Min: lo, Max: hi, Unit: unit, Doc: doc}, f}
	}
	return []spec{
		s("reading_interval_ns", d.ReadingIntervalNs, uint64(time.Second), uint64(24*time.Hour), "ns", "expected time between readings: a device should send the epoch's observed span / interval + 1", func(p *Params) *uint64 { return &p.ReadingIntervalNs }),
		s("slot_ns", d.SlotNs, uint64(time.Second), uint64(24*time.Hour), "ns", "length of an uptime and neighbour slot", func(p *Params) *uint64 { return &p.SlotNs }),
		s("max_clock_drift_ns", d.MaxClockDriftNs, uint64(time.Second), uint64(24*time.Hour), "ns", "largest gap between a report's device timestamp and its receive time", func(p *Params) *uint64 { return &p.MaxClockDriftNs }),
		s("stuck_window_ns", d.StuckWindowNs, uint64(time.Minute), uint64(7*24*time.Hour), "ns", "a value held unchanged this long is a stuck sensor", func(p *Params) *uint64 { return &p.StuckWindowNs }),
		s("max_fix_distance_m", d.MaxFixDistanceM, 10, 100_000, "m", "largest distance of a station's GNSS fix from its asserted cell centre", func(p *Params) *uint64 { return &p.MaxFixDistanceM }),
		s("min_fix_satellites", d.MinFixSatellites, 1, 64, "satellites", "fixes with fewer satellites are not used", func(p *Params) *uint64 { return &p.MinFixSatellites }),
		s("max_vehicle_speed_kmh", d.MaxVehicleSpeedKmh, 10, 2000, "km/h", "largest speed implied by two consecutive fixes of a vehicle", func(p *Params) *uint64 { return &p.MaxVehicleSpeedKmh }),
		s("min_qod", d.MinQoD, 0, 100, "QoD", "quality of data below which a device earns nothing", func(p *Params) *uint64 { return &p.MinQoD }),
		s("neighbour_res", d.NeighbourRes, 4, 12, "H3 res", "resolution of the cells whose rings hold a station's neighbours", func(p *Params) *uint64 { return &p.NeighbourRes }),
		s("neighbour_ring", d.NeighbourRing, 0, 3, "rings", "k of the H3 disk of neighbour cells", func(p *Params) *uint64 { return &p.NeighbourRing }),
		s("min_neighbours", d.MinNeighbours, 3, 1000, "stations", "stations in the ring (the device included) needed to judge a slot", func(p *Params) *uint64 { return &p.MinNeighbours }),
		s("mad_factor_pct", d.MADFactorPct, 100, 10_000, "%", "deviation from the ring median allowed, in percent of 1.4826 x MAD (at least the channel's floor)", func(p *Params) *uint64 { return &p.MADFactorPct }),
		s("max_outlier_bps", d.MaxOutlierBps, 0, 10_000, "bps", "share of judged slots that may deviate before neighbour_disagreement", func(p *Params) *uint64 { return &p.MaxOutlierBps }),
		s("sketch_overlap_bps", d.SketchOverlapBps, 1, 10_000, "bps", "share of a stream's sketch found in another stream (copy) or in the previous epoch (replay)", func(p *Params) *uint64 { return &p.SketchOverlapBps }),
		s("cell_res", d.CellRes, 4, 12, "H3 res", "resolution of the capacity cell", func(p *Params) *uint64 { return &p.CellRes }),
		s("max_per_cell", d.MaxPerCell, 1, 1000, "stations", "rewarded stations per capacity cell, best QoD then seniority first", func(p *Params) *uint64 { return &p.MaxPerCell }),
		s("cluster_res", d.ClusterRes, 4, 15, "H3 res", "stations in one cell of this resolution share one reward", func(p *Params) *uint64 { return &p.ClusterRes }),
	}
}

// Specs lists the kind's chain parameters in a fixed order.
func Specs() []params.Spec {
	ss := specs()
	out := make([]params.Spec, len(ss))
	for i, s := range ss {
		out[i] = s.Spec
	}
	return out
}

// ParamsFrom reads the scorer's params from kind params.
func ParamsFrom(p kind.Params) (Params, error) {
	var out Params
	for _, s := range specs() {
		v, ok := p.Get(s.Name)
		if !ok {
			return out, fmt.Errorf("sensor: params: %s missing: %w", s.Name, kind.ErrInvalid)
		}
		*s.field(&out) = v
	}
	return out, nil
}

// KindParams returns p as kind params, in the order of Specs.
func (p Params) KindParams() kind.Params {
	ss := specs()
	out := make(kind.Params, len(ss))
	for i, s := range ss {
		out[i] = kind.Param{Name: s.Name, Value: *s.field(&p)}
	}
	return out
}

// Check applies the rules between params.
func (p Params) Check() error {
	switch {
	case p.CellRes > p.ClusterRes:
		return fmt.Errorf("sensor: params: cell_res %d finer than cluster_res %d: %w", p.CellRes, p.ClusterRes, kind.ErrInvalid)
	case p.SlotNs < p.ReadingIntervalNs:
		return fmt.Errorf("sensor: params: slot_ns %d shorter than reading_interval_ns %d: %w", p.SlotNs, p.ReadingIntervalNs, kind.ErrInvalid)
	}
	return nil
}
