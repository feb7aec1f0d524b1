package reward

import (
	"fmt"
	"testing"
)

// benchInput is an epoch of n devices with shares in two pools (a tenth also
// in a third), in hash order (unsorted), with half of them holding prior
// totals: the shape of a coverage epoch.
func benchInput(n int) Input {
	in := Input{
		Epoch:    2,
		Emission: 20_547_945_000,
		Pools: []Pool{
			pl("beacon", 600), pl("witness", 2400), pl("data", 5000), pl("oracles", 700), pl("treasury", 1300),
		},
		Shares:  make([]Share, 0, n*2+n/10),
		Oracles: []OracleShare{{orc(0), 1}, {orc(1), 1}, {orc(2), 1}},
	}
	for i := range n {
		d := testAddr(i)
		in.Shares = append(in.Shares, Share{d, "beacon", uint64(i%4) * 250_000}, Share{d, "witness", uint64(i%97+1) * 76_000})
		if i%10 == 0 {
			in.Shares = append(in.Shares, Share{d, "data", uint64(i%13+1) * 24})
		}
		if i%2 == 0 {
			in.Prior = append(in.Prior, Entry{d, uint64(i) + 1})
		}
	}
	sortEntries(in.Prior)
	return in
}

// BenchmarkCompute measures Compute, Merkle root included, per epoch size:
// go test ./internal/reward -run XXX -bench Compute -benchtime 3x
func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) {
			in := benchInput(n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Compute(in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/device")
		})
	}
}

// BenchmarkRoot measures the Merkle root of a manifest alone.
func BenchmarkRoot(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			m := &Manifest{Entries: testEntries(n)}
			b.ResetTimer()
			for b.Loop() {
				_ = m.Root()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/entry")
		})
	}
}
