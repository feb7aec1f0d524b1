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

// BenchmarkRandomRead measures what bounds the receive-order pass at 1M
// devices (BENCHMARKS.md, epoch): the cost of reading one record at a random
// index of an array the size the scorer holds at 100k and at 1M devices,
// the 24-byte activity times per hotspot (scorer.times) and an 8-byte
// column per witness report (Witnesses.received). The loads are independent
// of each other, as the pass's are, so the processor overlaps their misses
// as far as it can; ns/op is per read.
func BenchmarkRandomRead(b *testing.B) {
	for _, c := range []struct {
		name string
		n    int
		rec  int // bytes per record
	}{
		{"times/100k", 100_000, 24}, {"times/1M", 1_000_000, 24},
		{"column/1.1M", 1_100_000, 8}, {"column/11M", 11_000_000, 8},
	} {
		b.Run(c.name, func(b *testing.B) {
			words := c.rec / 8
			mem := make([]int64, c.n*words)
			for i := range mem {
				mem[i] = int64(i)
			}
			const reads = 1 << 16
			idx := make([]int32, reads)
			x := uint64(1)
			for i := range idx {
				x = x*6364136223846793005 + 1442695040888963407
				idx[i] = int32((x >> 33) % uint64(c.n) * uint64(words))
			}
			var sum int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sum += mem[idx[i&(reads-1)]]
			}
			if sum == -1 {
				b.Fatal("unreachable")
			}
		})
	}
}
