package tokensim

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSimYear runs a year of sims/bootstrap.toml and, as the baseline
// in the same run, the same chain through the same number of empty blocks.
// It reports the year's time and the ratio: what the actors' transactions,
// the reward engine, the model and the daily checks cost over the bare
// chain (BENCHMARKS.md, tokensim).
func BenchmarkSimYear(b *testing.B) {
	s, err := LoadScenario("../../sims/bootstrap.toml")
	if err != nil {
		b.Fatal(err)
	}
	s.Days = 365
	var sim, bare time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := Run(context.Background(), s.Clone(), nil); err != nil {
			b.Fatal(err)
		}
		sim += time.Since(t0)
		a := newActors(s.Genesis.Validators)
		n, err := newNode(s, &a)
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		for range s.Days * BlocksPerDay {
			if _, err := n.block(); err != nil {
				b.Fatal(err)
			}
		}
		bare += time.Since(t0)
	}
	b.ReportMetric(sim.Seconds()/float64(b.N), "s/year")
	b.ReportMetric(bare.Seconds()/float64(b.N), "bare-s/year")
	b.ReportMetric(float64(sim)/float64(bare), "ratio")
}
