package tokensim

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestRandomScenarios runs short scenarios with random chain parameters
// and model assumptions: every transaction the model sends must pass the
// chain's checks, the chain's invariants must hold every day and the
// supply must be conserved (Run checks all three and fails otherwise).
func TestRandomScenarios(t *testing.T) {
	n := 12
	if testing.Short() {
		n = 4
	}
	rng := rand.New(rand.NewPCG(42, 17))
	for i := 0; i < n; i++ {
		s := load(t, "testdata/small.toml")
		s.Days = 25 + rng.IntN(20)
		s.Seed = rng.Uint64()
		set := func(name string, v string) {
			if err := s.Set(name, v); err != nil {
				t.Fatal(err)
			}
		}
		u := func(lo, hi uint64) string { return strconv.FormatUint(lo+rng.Uint64N(hi-lo+1), 10) }
		f := func(lo, hi float64) string { return strconv.FormatFloat(lo+rng.Float64()*(hi-lo), 'g', -1, 64) }
		set("reward.emission_initial", u(0, 1_000_000_000_000))
		set("reward.halving_epochs", u(0, 20))
		set("credit.price_upin", u(1, 1_000_000_000))
		set("credit.remint_bps", u(0, 10_000))
		set("credit.remint_cap_upin", u(0, 100_000_000_000))
		set("market.take_rate_bps", u(0, 5_000))
		set("market.usage_cap_upin_per_credit", u(0, 100))
		set("market.bootstrapping", u(0, 1))
		set("demand.lease_share", f(0, 1))
		set("demand.elasticity", f(0, 2))
		set("demand.credits_per_unit", u(1, 1_000_000_000_000))
		set("price.volatility", f(0, 0.2))
		set("price.smoothing", f(0.01, 1))
		set("providers.sell_share", f(0, 1))
		set("providers.join_rate", f(0, 0.2))
		set("staking.base", f(0, 0.9))
		set("staking.every_days", u(1, 10))
		s.Events = append(s.Events, Event{Day: rng.IntN(s.Days), Kind: EventPriceShock, Multiplier: rng.Float64()},
			Event{Day: rng.IntN(s.Days), Kind: EventDemandShock, Multiplier: 3 * rng.Float64(), DurationDays: rng.IntN(10)})
		if _, err := RunWith(context.Background(), s, Options{CheckEvery: 1}); err != nil {
			t.Fatalf("case %d (%+v): %v", i, s.Params, err)
		}
	}
}

// FuzzParseScenario checks that no input makes the scenario decoder
// panic and that an accepted scenario validates.
func FuzzParseScenario(f *testing.F) {
	f.Add([]byte("days = 3\n[genesis]\nvalidators = 1\n"))
	f.Add([]byte("days = 1\n[[events]]\nday = 0\nkind = \"price_shock\"\nmultiplier = 0.5\n"))
	f.Add([]byte("extends = \"x.toml\"\n"))
	f.Add([]byte("[params]\n\"reward.emission_initial\" = 18446744073709551615\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseScenario(raw)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted a scenario that does not validate: %v", err)
		}
	})
}
