package coverage

import (
	"fmt"
	"time"
)

// Scale is the fixed-point scale of reward units, hex scales and shares:
// 1.0 is 1e9.
const Scale = 1_000_000_000

// DensityRes holds the HIP-17 clipping parameters of one resolution.
type DensityRes struct {
	Neighbors uint64 // N: occupied neighbours before the limit grows
	Target    uint64 // density target per hex
	Max       uint64 // hard cap per hex
}

// MinDensityRes and MaxDensityRes bound the resolutions HIP-17 clips at.
const (
	MinDensityRes = 4
	MaxDensityRes = 10
)

// Params are every tunable number of the scorer. Durations are nanoseconds;
// fractions are fixed point at Scale or basis points as named.
type Params struct {
	EntropyLifespanNs     uint64 // reports must arrive within this of the entropy's block time
	BeaconIntervalNs      uint64 // one beacon per bucket of this length
	ReciprocityWindowNs   uint64 // HIP-106 window
	InteractivityWindowNs uint64 // HIP-17 interactivity window
	WitnessDelayNs        uint64 // witness after the beacon, when the beacon arrived first
	WitnessAfterFirstNs   uint64 // witness after the first witness, when a witness arrived first
	MaxWitnessesPerBeacon uint64 // HIP-83 selection size
	WitnessRedundancy     uint64 // HIP-15 N
	DecayRateBps          uint64 // HIP-15 r in basis points
	BeaconerUnitCap       uint64 // HIP-15 cap on beaconer units, at Scale
	MaxFrequencyDeltaHz   uint64 // witness frequency tolerance
	CellDistanceRes       uint64 // resolution of the parents compared for the minimum distance
	MinCellDistance       uint64 // minimum grid distance between those parents
	MaxDistanceKm         uint64 // HIP-58 maximum witness distance
	DefaultHexScale       uint64 // HIP-17 scale of a beaconer outside the density map, at Scale
	Density               [MaxDensityRes - MinDensityRes + 1]DensityRes
}

// DefaultParams returns the values the Helium IoT oracles ran with
// (helium/oracles iot_verifier: entropy.rs, settings.rs, runner.rs, poc.rs,
// tx_scaler.rs, hex_density.rs HIP104_RES_CONFIG).
func DefaultParams() Params {
	return Params{
		EntropyLifespanNs:     uint64(180 * time.Second), // ENTROPY_LIFESPAN
		BeaconIntervalNs:      uint64(6 * time.Hour),     // beacon_interval
		ReciprocityWindowNs:   uint64(48 * time.Hour),    // RECIPROCITY_WINDOW
		InteractivityWindowNs: uint64(60 * time.Hour),    // HIP_17_INTERACTIVITY_LIMIT
		WitnessDelayNs:        uint64(4000 * time.Millisecond),
		WitnessAfterFirstNs:   uint64(1500 * time.Millisecond),
		MaxWitnessesPerBeacon: 14,   // max_witnesses_per_poc
		WitnessRedundancy:     4,    // WITNESS_REDUNDANCY
		DecayRateBps:          8000, // POC_REWARD_DECAY_RATE 0.8
		BeaconerUnitCap:       2 * Scale,
		MaxFrequencyDeltaHz:   100_000,
		CellDistanceRes:       11, // POC_CELL_PARENT_RES
		MinCellDistance:       8,  // POC_CELL_DISTANCE_MINIMUM
		MaxDistanceKm:         100,
		DefaultHexScale:       Scale / 5, // DEFAULT_TX_SCALE 0.2
		Density: [...]DensityRes{
			{2, 500, 1000}, // res 4
			{4, 100, 200},  // res 5
			{4, 25, 50},    // res 6
			{4, 5, 10},     // res 7
			{2, 1, 1},      // res 8
			{2, 1, 1},      // res 9
			{2, 1, 1},      // res 10
		},
	}
}

// Spec describes one parameter for the params module and the docs.
type Spec struct {
	Name    string
	Default uint64
	Min     uint64
	Max     uint64
	Doc     string
	field   func(*Params) *uint64
}

// Specs lists every parameter with its default and bounds, in a fixed order.
func Specs() []Spec {
	d := DefaultParams()
	specs := []Spec{
		{"entropy_lifespan_ns", d.EntropyLifespanNs, uint64(time.Second), uint64(time.Hour), "reports must arrive within this time after the entropy block", func(p *Params) *uint64 { return &p.EntropyLifespanNs }},
		{"beacon_interval_ns", d.BeaconIntervalNs, uint64(time.Minute), uint64(7 * 24 * time.Hour), "one beacon per device per bucket of this length", func(p *Params) *uint64 { return &p.BeaconIntervalNs }},
		{"reciprocity_window_ns", d.ReciprocityWindowNs, uint64(time.Hour), uint64(30 * 24 * time.Hour), "HIP-106 window for the last valid witness / beacon", func(p *Params) *uint64 { return &p.ReciprocityWindowNs }},
		{"interactivity_window_ns", d.InteractivityWindowNs, uint64(time.Hour), uint64(30 * 24 * time.Hour), "HIP-17 window for counting a hotspot as interactive", func(p *Params) *uint64 { return &p.InteractivityWindowNs }},
		{"witness_delay_ns", d.WitnessDelayNs, uint64(100 * time.Millisecond), uint64(time.Minute), "latest witness arrival after the beacon", func(p *Params) *uint64 { return &p.WitnessDelayNs }},
		{"witness_after_first_ns", d.WitnessAfterFirstNs, uint64(100 * time.Millisecond), uint64(time.Minute), "latest witness arrival after the first witness when it preceded the beacon", func(p *Params) *uint64 { return &p.WitnessAfterFirstNs }},
		{"max_witnesses_per_beacon", d.MaxWitnessesPerBeacon, 1, 64, "HIP-83: witnesses rewarded per beacon, first by receive time", func(p *Params) *uint64 { return &p.MaxWitnessesPerBeacon }},
		{"witness_redundancy", d.WitnessRedundancy, 1, 64, "HIP-15 N", func(p *Params) *uint64 { return &p.WitnessRedundancy }},
		{"decay_rate_bps", d.DecayRateBps, 1, 9999, "HIP-15 reward decay rate r in basis points", func(p *Params) *uint64 { return &p.DecayRateBps }},
		{"beaconer_unit_cap", d.BeaconerUnitCap, Scale, 10 * Scale, "HIP-15 cap on beaconer units (1e9 = 1)", func(p *Params) *uint64 { return &p.BeaconerUnitCap }},
		{"max_frequency_delta_hz", d.MaxFrequencyDeltaHz, 1_000, 1_000_000, "witness frequency tolerance", func(p *Params) *uint64 { return &p.MaxFrequencyDeltaHz }},
		{"cell_distance_res", d.CellDistanceRes, 8, 12, "resolution of the parents compared for the minimum distance", func(p *Params) *uint64 { return &p.CellDistanceRes }},
		{"min_cell_distance", d.MinCellDistance, 1, 100, "minimum grid distance between beaconer and witness parents", func(p *Params) *uint64 { return &p.MinCellDistance }},
		{"max_distance_km", d.MaxDistanceKm, 1, 1000, "HIP-58 maximum witness distance", func(p *Params) *uint64 { return &p.MaxDistanceKm }},
		{"default_hex_scale", d.DefaultHexScale, 0, Scale, "HIP-17 scale of a beaconer not in the density map (1e9 = 1)", func(p *Params) *uint64 { return &p.DefaultHexScale }},
	}
	for i := range d.Density {
		res, i := i+MinDensityRes, i
		specs = append(specs,
			Spec{fmt.Sprintf("density_res%d_neighbors", res), d.Density[i].Neighbors, 1, 7, fmt.Sprintf("HIP-17 N at resolution %d", res), func(p *Params) *uint64 { return &p.Density[i].Neighbors }},
			Spec{fmt.Sprintf("density_res%d_target", res), d.Density[i].Target, 1, 100_000, fmt.Sprintf("HIP-17 density target at resolution %d", res), func(p *Params) *uint64 { return &p.Density[i].Target }},
			Spec{fmt.Sprintf("density_res%d_max", res), d.Density[i].Max, 1, 100_000, fmt.Sprintf("HIP-17 maximum at resolution %d", res), func(p *Params) *uint64 { return &p.Density[i].Max }},
		)
	}
	return specs
}

// Get returns the value of the named parameter.
func (p Params) Get(name string) (uint64, error) {
	for _, s := range Specs() {
		if s.Name == name {
			return *s.field(&p), nil
		}
	}
	return 0, fmt.Errorf("coverage: get param: unknown parameter %q", name)
}

// Set changes the named parameter after checking its bounds. The caller
// should Validate the whole set afterwards for cross-field rules.
func (p *Params) Set(name string, v uint64) error {
	for _, s := range Specs() {
		if s.Name == name {
			if v < s.Min || v > s.Max {
				return fmt.Errorf("coverage: set param: %s = %d outside [%d, %d]", name, v, s.Min, s.Max)
			}
			*s.field(p) = v
			return nil
		}
	}
	return fmt.Errorf("coverage: set param: unknown parameter %q", name)
}

// Validate checks every bound and the cross-field rules.
func (p Params) Validate() error {
	for _, s := range Specs() {
		v := *s.field(&p)
		if v < s.Min || v > s.Max {
			return fmt.Errorf("coverage: params: %s = %d outside [%d, %d]", s.Name, v, s.Min, s.Max)
		}
	}
	for i, d := range p.Density {
		if d.Target > d.Max {
			return fmt.Errorf("coverage: params: density_res%d_target %d above density_res%d_max %d", i+MinDensityRes, d.Target, i+MinDensityRes, d.Max)
		}
	}
	return nil
}
