package tokensim

import (
	"math"
	"math/rand/v2"
)

// The off-chain economic model: agents' decisions in float64. Nothing here
// moves a token; it decides what the actors ask the chain to do.

// model holds the agents' state between days.
type model struct {
	s   *Scenario
	rng *rand.Rand

	providers [classes]int
	price     float64 // USD per PIN
	spec      float64 // speculative valuation, USD

	shocks []shock

	// trailing daily series for the decisions (last LookbackDays days)
	revenueUSD [classes][]float64 // what each class earned, USD
	usageUSD   []float64          // what consumers paid for service, USD
}

// Provider classes: serving providers are where the demand is and carry
// it (usage rewards, leases) besides providing coverage; idle providers
// only provide coverage (availability rewards). Both earn from the device
// pools pro-rata to their capacity.
const (
	serving = iota
	idle
	classes
)

type shock struct {
	mult  float64
	until int // last day it applies; -1 for ever
}

func newModel(s *Scenario) *model {
	m := &model{
		s:     s,
		rng:   rand.New(rand.NewPCG(s.Seed, 0x746f6b656e73696d)), // "tokensim"
		price: s.Price.InitialUSD,
		spec:  s.Price.SpeculativeUSD,
	}
	m.providers[serving] = int(math.Round(float64(s.Providers.Initial) * s.Providers.ServingShare))
	m.providers[idle] = s.Providers.Initial - m.providers[serving]
	return m
}

// total is the number of providers.
func (m *model) total() int { return m.providers[serving] + m.providers[idle] }

// potential is the demand the market would take at the reference price
// with unlimited capacity: a logistic curve from Start (day 0) to Max.
func (m *model) potential(day int) float64 {
	d := m.s.Demand
	if d.Start <= 0 || d.Max <= 0 {
		return 0
	}
	return d.Max / (1 + (d.Max/d.Start-1)*math.Exp(-d.Steepness*float64(day)))
}

// demandShock is the product of the demand shocks running on day.
func (m *model) demandShock(day int) float64 {
	f := 1.0
	for _, s := range m.shocks {
		if s.until < 0 || day <= s.until {
			f *= s.mult
		}
	}
	return f
}

// capacity is the fleet's coverage: what all its providers could serve
// per day.
func (m *model) capacity() float64 { return float64(m.total()) * m.s.Providers.CapacityUnits }

// classCapacity is one class's capacity.
func (m *model) classCapacity(c int) float64 {
	return float64(m.providers[c]) * m.s.Providers.CapacityUnits
}

// demand is the units consumers want on day at unitUSD per unit: the
// potential, reachable in proportion to capacity/(capacity+half), scaled by
// (ref/price)^elasticity.
func (m *model) demand(day int, unitUSD float64) float64 {
	d := m.s.Demand
	c := m.capacity()
	reach := 1.0
	if d.HalfCapacity > 0 {
		reach = c / (c + d.HalfCapacity)
	}
	priceFactor := 1.0
	if unitUSD > 0 {
		priceFactor = math.Pow(d.RefPriceUSD/unitUSD, d.Elasticity)
	}
	return m.potential(day) * m.demandShock(day) * reach * priceFactor
}

// push appends v to a trailing window of n values.
func push(w []float64, v float64, n int) []float64 {
	w = append(w, v)
	if len(w) > n {
		w = w[len(w)-n:]
	}
	return w
}

func mean(w []float64) float64 {
	if len(w) == 0 {
		return 0
	}
	var s float64
	for _, v := range w {
		s += v
	}
	return s / float64(len(w))
}

// record adds a day's revenue of each class and the consumers' spending
// (USD).
func (m *model) record(revenueUSD [classes]float64, usageUSD float64) {
	n := m.s.Providers.LookbackDays
	for c := range revenueUSD {
		m.revenueUSD[c] = push(m.revenueUSD[c], revenueUSD[c], n)
	}
	m.usageUSD = push(m.usageUSD, usageUSD, n)
}

// economics is one provider's expected position from the trailing window.
type economics struct {
	revenuePerDay float64 // USD per provider per day
	roi           float64 // annual return on capex, after opex
	breakEven     float64 // months to recover capex; math.Inf(1) if never
}

// economics is a class's expected position, or the fleet's average for
// class -1.
func (m *model) economics(class int) economics {
	var rev float64
	n := 0
	for c := 0; c < classes; c++ {
		if class < 0 || c == class {
			rev += mean(m.revenueUSD[c])
			n += m.providers[c]
		}
	}
	// With nobody in it, a first provider would take the whole of it.
	return m.position(rev / float64(max(n, 1)))
}

func (m *model) position(revenuePerDay float64) economics {
	p := m.s.Providers
	e := economics{revenuePerDay: revenuePerDay}
	net := e.revenuePerDay - p.OpexUSDPerDay
	e.roi = net * 365 / p.CapexUSD
	e.breakEven = math.Inf(1)
	if net > 0 {
		e.breakEven = p.CapexUSD / (net * 365 / 12)
	}
	return e
}

// stochasticRound rounds x ≥ 0 down or up with the probability of its
// fraction, so small daily flows add up to the right totals.
func (m *model) stochasticRound(x float64) int {
	if x <= 0 {
		return 0
	}
	f := math.Floor(x)
	if m.rng.Float64() < x-f {
		f++
	}
	return int(f)
}

// stepProviders applies a day's entries and exits in each class: entry in
// proportion to the class's expected return above the hurdle, exit in
// proportion to its operating loss (revenue below running cost; capex is
// sunk). Organic entries split by ServingShare.
func (m *model) stepProviders() (joins, leaves int) {
	p := m.s.Providers
	organic := [classes]float64{p.OrganicJoins * p.ServingShare, p.OrganicJoins * (1 - p.ServingShare)}
	for c := 0; c < classes; c++ {
		e := m.economics(c)
		n := float64(m.providers[c])
		joinX := organic[c]
		if x := e.roi - p.Hurdle; x > 0 && n > 0 {
			// Entry saturates at JoinRate of the class a day: hardware,
			// installers and attention are finite however high the
			// return.
			joinX += n * p.JoinRate * x / (1 + x)
		}
		leaveX := 0.0
		if p.OpexUSDPerDay > 0 && e.revenuePerDay < p.OpexUSDPerDay {
			leaveX = n * p.LeaveRate * (p.OpexUSDPerDay - e.revenuePerDay) / p.OpexUSDPerDay
		}
		j := min(m.stochasticRound(joinX), p.Max-m.total())
		l := min(m.stochasticRound(leaveX), m.providers[c])
		m.providers[c] += j - l
		joins += j
		leaves += l
	}
	return joins, leaves
}

// stakingTarget is the staking ratio holders aim for at an annual yield.
func (m *model) stakingTarget(yield float64) float64 {
	st := m.s.Staking
	t := st.Base + st.Sensitivity*(yield-st.RefYield)
	return min(max(t, 0), st.MaxRatio)
}

// tokensFor converts USD to upin at a price, rounding down: the one place
// where the model's floats become the chain's integers.
func tokensFor(usd, price float64) uint64 {
	if usd <= 0 || price <= 0 || math.IsNaN(usd) {
		return 0
	}
	x := math.Floor(usd / price * upinPerPIN)
	if x >= math.MaxUint64/2 {
		return math.MaxUint64 / 2
	}
	return uint64(x)
}

// usdOf values upin at a price.
func usdOf(upin uint64, price float64) float64 { return float64(upin) / upinPerPIN * price }
