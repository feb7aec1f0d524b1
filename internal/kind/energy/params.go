package energy

import (
	"fmt"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the energy kind, each named "energy.<param>".
var (
	// IntervalSeconds is the settlement interval: 15 minutes is the
	// European imbalance settlement period (EU 2017/2195, Art. 53) and the
	// market slot length of Grid Singularity's exchange.
	IntervalSeconds = params.Spec{Name: Name + ".interval_seconds", Default: 900, Min: 10, Max: 86_400, Unit: "s",
		Doc: "length of a metering and trading interval"}
	MaxRatedPower = params.Spec{Name: Name + ".max_rated_power_w", Default: 100_000, Min: 1, Max: 1_000_000_000, Unit: "W",
		Doc: "highest rated power an energy device may assert"}
	MaxBattery = params.Spec{Name: Name + ".max_battery_wh", Default: 1_000_000, Min: 0, Max: 1_000_000_000_000, Unit: "Wh",
		Doc: "largest battery capacity an energy device may assert"}
	ZoneResolution = params.Spec{Name: Name + ".zone_resolution", Default: 7, Min: 0, Max: 15, Unit: "H3 res",
		Doc: "H3 resolution of a grid zone: the parent of a device's grid cell at it"}
	PeerToleranceBps = params.Spec{Name: Name + ".peer_tolerance_bps", Default: 15_000, Min: 10_000, Max: 1_000_000, Unit: "bps",
		Doc: "a capacity factor above this share of the zone's median is flagged"}
	PeerSlack = params.Spec{Name: Name + ".peer_slack_permille", Default: 0, Min: 0, Max: 1_000, Unit: "‰",
		Doc: "capacity factor always allowed above the flagging line"}
	MinPeers = params.Spec{Name: Name + ".min_peers", Default: 3, Min: 2, Max: 1_000, Unit: "reads",
		Doc: "fewest complete renewable reads in a zone and interval for the peer check"}
)

// Specs lists the kind's parameters.
func Specs() []params.Spec {
	return []params.Spec{IntervalSeconds, MaxRatedPower, MaxBattery, ZoneResolution, PeerToleranceBps, PeerSlack, MinPeers}
}

// Params are the kind's parameter values.
type Params struct {
	IntervalSeconds  uint64
	MaxRatedPower    uint64
	MaxBattery       uint64
	ZoneResolution   uint64
	PeerToleranceBps uint64
	PeerSlack        uint64
	MinPeers         uint64
}

// DefaultParams returns the defaults of Specs.
func DefaultParams() Params {
	p, _ := ParamsFrom(kind.Defaults(Specs()))
	return p
}

// ParamsFrom reads the kind's values.
func ParamsFrom(kp kind.Params) (Params, error) {
	var out Params
	for _, f := range []struct {
		s params.Spec
		v *uint64
	}{
		{IntervalSeconds, &out.IntervalSeconds}, {MaxRatedPower, &out.MaxRatedPower}, {MaxBattery, &out.MaxBattery},
		{ZoneResolution, &out.ZoneResolution}, {PeerToleranceBps, &out.PeerToleranceBps}, {PeerSlack, &out.PeerSlack},
		{MinPeers, &out.MinPeers},
	} {
		v, ok := kp.Get(f.s.Name)
		if !ok {
			return out, fmt.Errorf("energy: params: %s missing: %w", f.s.Name, kind.ErrInvalid)
		}
		*f.v = v
	}
	return out, nil
}

// Lookup reads the kind's params through get (the chain's params store).
func Lookup(get func(params.Spec) uint64) Params {
	p, _ := ParamsFrom(kind.Lookup(Specs(), get))
	return p
}
