package relay

import (
	"math/rand/v2"
	"testing"
)

// TestTicketsConverge checks that probabilistic tickets pay the price they
// stand for: over n tickets of win probability p = winProb / 2^64 and
// face value F = FaceValue(price, winProb), the total paid W·F (W winners)
// has mean n·p·F, within n·p upin above n·price (F rounds up by less than
// 1/p), and relative standard deviation sqrt((1−p)/(n·p)). The
// tolerances below are about 4 standard deviations, so the test fails for
// a wrong win rule or face value, not for bad luck; the seed is fixed, so
// it cannot flake.
//
// The signatures are drawn from a seeded ChaCha8 stream standing in for
// ed25519 signatures (which a relay cannot predict before it commits to
// its rand); Wins is the chain's own rule.
func TestTicketsConverge(t *testing.T) {
	for _, c := range []struct {
		winProb   uint64
		n         int
		price     uint64
		tolerance float64 // relative, about 4 standard deviations
	}{
		{1 << 58, 200_000, 1_000, 0.07},    // p = 1/64:   n·p = 3125, σ ≈ 1.8%
		{1 << 60, 100_000, 250, 0.05},      // p = 1/16:   n·p = 6250, σ ≈ 1.2%
		{1 << 54, 1_000_000, 10_000, 0.13}, // p = 1/1024: n·p ≈ 977,  σ ≈ 3.2%
	} {
		face, ok := FaceValue(c.price, c.winProb)
		if !ok {
			t.Fatalf("no face value for price %d", c.price)
		}
		rng := rand.New(rand.NewChaCha8([32]byte{byte(c.n), 1, 2, 3}))
		sig := make([]byte, 64)
		rnd := make([]byte, 32)
		var wins uint64
		for i := 0; i < c.n; i++ {
			for j := range sig {
				sig[j] = byte(rng.Uint32())
			}
			for j := range rnd {
				rnd[j] = byte(rng.Uint32())
			}
			if Wins(sig, rnd, c.winProb) {
				wins++
			}
		}
		paid := float64(wins * face)
		want := float64(uint64(c.n) * c.price)
		if rel := (paid - want) / want; rel > c.tolerance || rel < -c.tolerance {
			t.Errorf("p=%g, %d tickets: paid %g, want %g ± %.0f%% (off by %.2f%%)",
				float64(c.winProb)/(1<<64), c.n, paid, want, 100*c.tolerance, 100*rel)
		}
	}
}
