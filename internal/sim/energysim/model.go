package energysim

import (
	"fmt"
	"math"
	"math/rand/v2"

	aenergy "github.com/depin-network/depin/agent/energy"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// Profile is how a household behaves.
type Profile int

// Profiles.
const (
	Honest Profile = iota
	OverReporter
	Backwards
	EarlySeller
)

func (p Profile) String() string {
	return [...]string{"honest", "over_reporter", "backwards", "early_seller"}[p]
}

// Clock maps intervals to simulated solar time: interval iv is at
// StartMinute + (iv - Origin) × MinutesPerInterval minutes of a simulated
// day, so a devnet with 30-second intervals still lives through a day of
// sun in under an hour. Energy is always power × the chain's interval.
type Clock struct {
	Seconds            uint64 // the chain's energy.interval_seconds
	Origin             uint64 // the interval that is StartMinute
	StartMinute        int    // minutes after local midnight
	MinutesPerInterval int
	DayOfYear          int
	LatDeg             float64
}

// Minute returns the simulated local minute of the day of interval iv.
func (c Clock) Minute(iv uint64) int {
	m := c.StartMinute + int(iv-c.Origin)*c.MinutesPerInterval
	return ((m % 1440) + 1440) % 1440
}

// SunFraction is the clear-sky output of a panel as a fraction of its peak
// at local solar minute m: the sine of the sun's elevation (declination by
// Cooper's formula, δ = 23.44° × sin(360° × (284 + day) / 365)), 0 below
// the horizon.
func (c Clock) SunFraction(m int) float64 {
	decl := 23.44 * math.Sin(2*math.Pi*float64(284+c.DayOfYear)/365) * math.Pi / 180
	lat := c.LatDeg * math.Pi / 180
	hourAngle := (float64(m)/60 - 12) * 15 * math.Pi / 180
	s := math.Sin(lat)*math.Sin(decl) + math.Cos(lat)*math.Cos(decl)*math.Cos(hourAngle)
	return max(0, s)
}

// Sky is the zone's cloud cover: clearness in [0.15, 1] moving as a mean-
// reverting random walk from interval to interval.
type Sky struct {
	rng       *rand.Rand
	clearness float64
}

// NewSky starts a sky from a seed.
func NewSky(seed uint64) *Sky {
	return &Sky{rng: rand.New(rand.NewPCG(seed, 0x5ca1ab1e)), clearness: 0.85}
}

// Next moves the clouds one interval and returns the clearness.
func (s *Sky) Next() float64 {
	s.clearness += 0.2*(0.8-s.clearness) + 0.12*s.rng.NormFloat64()
	s.clearness = min(1, max(0.15, s.clearness))
	return s.clearness
}

// Household is one simulated home with its meter.
type Household struct {
	Name    string
	Profile Profile
	Attrs   aenergy.Attributes
	// PanelW is the panels' peak output (0: no panels); LoadW the house's
	// average load.
	PanelW uint64
	LoadW  uint64
	// AskPrice and BidPrice are what it sells and buys at, upin per kWh.
	AskPrice, BidPrice uint64

	rng *rand.Rand
	// Meter holds the true counters; reported what it last reported.
	Meter    aenergy.Meter
	reported aenergy.Meter
	// last is the last interval's energy, for the forecast.
	lastClearness float64
}

// Energy is one interval of a household.
type Energy struct {
	Interval                       uint64
	Produced, Load, Import, Export uint64
	SocWh                          uint64
}

// wh is the energy of power w over seconds s.
func wh(w float64, s uint64) uint64 { return uint64(max(0, w) * float64(s) / 3600) }

// Step runs the physics of interval iv: production from the sun and the
// clouds, the load, the battery absorbing surplus and covering deficit
// within its charge rate, the rest exchanged with the grid. It advances
// the true meter.
func (h *Household) Step(c Clock, iv uint64, clearness float64) Energy {
	h.lastClearness = clearness
	noise := 1 + 0.03*h.rng.NormFloat64()
	prod := min(wh(float64(h.PanelW)*c.SunFraction(c.Minute(iv))*clearness*noise, c.Seconds), wh(float64(h.Attrs.RatedPowerW), c.Seconds))
	load := wh(float64(h.LoadW)*h.loadShape(c.Minute(iv))*(1+0.1*h.rng.NormFloat64()), c.Seconds)
	load = min(load, wh(float64(h.Attrs.RatedPowerW), c.Seconds))
	e := Energy{Interval: iv, Produced: prod, Load: load}
	rate := wh(float64(h.Attrs.MaxChargeW), c.Seconds)
	soc := h.Meter.SocWh
	if prod >= load {
		surplus := prod - load
		charge := min(surplus, rate, h.Attrs.BatteryWh-soc)
		soc += charge
		e.Export = surplus - charge
	} else {
		deficit := load - prod
		discharge := min(deficit, rate, soc)
		soc -= discharge
		e.Import = deficit - discharge
	}
	e.SocWh = soc
	h.Meter.Add(e.Import, e.Export, e.Produced)
	h.Meter.SocWh = soc
	return e
}

// loadShape is the load relative to the average by time of day: low at
// night, a morning peak at 7:00 and an evening peak at 19:00.
func (h *Household) loadShape(m int) float64 {
	t := float64(m) / 60
	peak := func(at, width float64) float64 { return math.Exp(-(t - at) * (t - at) / (2 * width * width)) }
	return 0.5 + 0.9*peak(7.5, 1.2) + 1.4*peak(19, 1.8)
}

// Report returns the read the household sends for interval iv after Step,
// and whether it sends it before the interval ends. Adversaries lie here.
func (h *Household) Report(iv uint64, e Energy) (r *kenergyv1.Read, early bool) {
	switch h.Profile {
	case OverReporter:
		// Claims twice its production, the extra as export.
		h.reported.Add(e.Import, e.Export+e.Produced, 2*e.Produced)
		h.reported.SocWh = e.SocWh
		return h.reported.Body(iv), false
	case Backwards:
		h.reported = h.Meter
		if iv%5 == 0 {
			// A counter that jumps back: a tampered or replaced meter.
			r := h.Meter.Body(iv)
			r.ExportedWh /= 2
			r.ProducedWh /= 2
			return r, false
		}
		return h.Meter.Body(iv), false
	case EarlySeller:
		// Sends the next interval's read now, claiming what it sold.
		r := h.Meter.Body(iv + 1)
		r.ExportedWh += h.Attrs.RatedPowerW / 100
		r.ProducedWh += h.Attrs.RatedPowerW / 100
		return r, true
	}
	h.reported = h.Meter
	return h.Meter.Body(iv), false
}

// Order is an ask or a bid.
type Order struct {
	Ask   bool
	Wh    uint64
	Price uint64
}

// Order returns what the household trades for interval iv: the forecast
// (clear-sky output of iv at the last clearness, less the average load at
// that hour), rounded down to 10 Wh from 100 Wh up. Honest sellers ask 80% of their
// forecast surplus; EarlySeller asks three times its forecast, even at
// night; OverReporter asks for twice. Buyers bid 90% of their forecast
// deficit. It returns false when the household has nothing to trade.
func (h *Household) Order(c Clock, iv uint64) (Order, bool) {
	prod := wh(float64(h.PanelW)*c.SunFraction(c.Minute(iv))*h.lastClearness, c.Seconds)
	load := wh(float64(h.LoadW)*h.loadShape(c.Minute(iv)), c.Seconds)
	limit := wh(float64(h.Attrs.RatedPowerW), c.Seconds)
	round := func(v uint64) uint64 {
		if v = min(limit, v); v >= 100 {
			return v / 10 * 10
		}
		return v
	}
	switch {
	case h.Profile == EarlySeller:
		return Order{Ask: true, Wh: round(max(3*prod, limit/8)), Price: h.AskPrice}, true
	case prod > load && h.PanelW > 0:
		surplus := prod - load
		// The battery takes its share first.
		charge := min(surplus, wh(float64(h.Attrs.MaxChargeW), c.Seconds), h.Attrs.BatteryWh-h.Meter.SocWh)
		w := (surplus - charge) * 8 / 10
		if h.Profile == OverReporter {
			w = 2 * surplus
		}
		if w = round(w); w == 0 {
			return Order{}, false
		}
		return Order{Ask: true, Wh: w, Price: h.AskPrice}, true
	case load > prod:
		if w := round((load - prod) * 9 / 10); w > 0 {
			return Order{Ask: false, Wh: w, Price: h.BidPrice}, true
		}
	}
	return Order{}, false
}

// Plan lays out a neighbourhood of n honest households (about half with
// solar, a third of those with batteries) plus one of each adversary, all
// on one feeder in the zone of cell.
func Plan(n int, cell uint64, seed uint64) []*Household {
	rng := rand.New(rand.NewPCG(seed, 0xe1ec7))
	var out []*Household
	add := func(name string, p Profile, panel, load, battery uint64) {
		rated := max(panel, 2*load, 3000)
		h := &Household{Name: name, Profile: p, PanelW: panel, LoadW: load,
			AskPrice: 100_000 + uint64(rng.IntN(60))*1000, BidPrice: 220_000 + uint64(rng.IntN(60))*1000,
			rng: rand.New(rand.NewPCG(seed, uint64(len(out)+1))), lastClearness: 0.8}
		h.Attrs = aenergy.Attributes{RatedPowerW: rated, GridCell: cell, FeederID: 1, Renewable: panel > 0}
		if battery > 0 {
			h.Attrs.BatteryWh, h.Attrs.MaxChargeW = battery, min(rated, 3000)
			h.Meter.SocWh = battery / 2
		}
		out = append(out, h)
	}
	for i := 0; i < n; i++ {
		load := 400 + uint64(rng.IntN(500))
		switch {
		case i%2 == 0:
			battery := uint64(0)
			if i%3 == 0 {
				battery = 5_000 + uint64(rng.IntN(6))*1000
			}
			add(fmt.Sprintf("house%02d", i), Honest, 4_000+uint64(rng.IntN(5))*500, load, battery)
		default:
			// Homes without panels: a heat pump or an electric car.
			add(fmt.Sprintf("house%02d", i), Honest, 0, load+600+uint64(rng.IntN(1200)), 0)
		}
	}
	add("overreporter", OverReporter, 4_000, 300, 0)
	add("backwards", Backwards, 4_500, 500, 0)
	add("earlyseller", EarlySeller, 0, 300, 0)
	return out
}
