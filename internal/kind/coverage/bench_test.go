package coverage

import (
	"testing"

	"github.com/depin-network/depin/internal/geo"
)

// BenchmarkScore scores an epoch of 10k devices, each beaconing once and
// heard by about 10 neighbours (100k witness reports). Compare with
// BenchmarkScore1k for the scaling ratio.
func BenchmarkScore(b *testing.B) { benchScore(b, 10_000) }

// BenchmarkScore1k is the 10× smaller baseline.
func BenchmarkScore1k(b *testing.B) { benchScore(b, 1_000) }

func benchScore(b *testing.B, n int) {
	in := genFleet(b, n, 10)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Score(in, geo.H3{})
		if err != nil {
			b.Fatal(err)
		}
		if res.WitnessShares == 0 {
			b.Fatal("no witness shares")
		}
	}
	b.ReportMetric(float64(len(in.Witnesses)), "witnesses/op")
}
