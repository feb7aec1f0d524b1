package tokensim

import "math"

// stepPrice moves the token price a day: the speculative valuation takes
// its drift and log-normal noise, and the price moves by Smoothing toward
// the target (UsageMultiple × a year of usage payments + speculative
// valuation) / circulating supply. Staking, locked team tokens, the
// treasury and unclaimed rewards are not circulating, so locking supply
// raises the price and unlocks dilute it.
func (m *model) stepPrice(circulatingUpin uint64) {
	p := m.s.Price
	if p.Volatility > 0 || p.DriftAnnual != 0 {
		z := m.rng.NormFloat64()
		m.spec *= math.Exp(p.DriftAnnual/365 - p.Volatility*p.Volatility/2 + p.Volatility*z)
	}
	circ := float64(circulatingUpin) / upinPerPIN
	if circ <= 0 || len(m.usageUSD) == 0 {
		// Nothing is known yet of usage (day 0 settles tomorrow): the
		// price stays where the scenario starts it.
		return
	}
	target := (p.UsageMultiple*mean(m.usageUSD)*365 + m.spec) / circ
	m.price = m.price*(1-p.Smoothing) + p.Smoothing*target
}

// shockPrice multiplies the price and the speculative valuation.
func (m *model) shockPrice(mult float64) {
	m.price *= mult
	m.spec *= mult
}
