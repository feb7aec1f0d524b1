package ingest

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestBucket(t *testing.T) {
	const s = int64(time.Second)
	tests := []struct {
		name        string
		rate, burst uint64
		at          []int64 // nanoseconds of each attempt
		want        []bool
	}{
		{"burst then empty", 1, 3, []int64{1, 1, 1, 1}, []bool{true, true, true, false}},
		{"refill one per second", 1, 2, []int64{1, 1, 1, 1 + s, 1 + s}, []bool{true, true, false, true, false}},
		{"half a report is not enough", 2, 1, []int64{1, 1 + s/4, 1 + s/2}, []bool{true, false, true}},
		{"long idle refills to burst only", 1, 2, []int64{1, 1, 1 + 1000*s, 1 + 1000*s, 1 + 1000*s}, []bool{true, true, true, true, false}},
		{"clock going back refills nothing", 1, 1, []int64{10 * s, 5 * s, 10 * s}, []bool{true, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bucket
			for i, at := range tc.at {
				if got := b.take(at, tc.rate, tc.burst); got != tc.want[i] {
					t.Fatalf("attempt %d at %d ns: got %v, want %v", i, at, got, tc.want[i])
				}
			}
		})
	}
}

// TestBucketNeverExceedsRate: over any sequence of attempts, the reports
// taken never exceed burst + rate × elapsed seconds.
func TestBucketNeverExceedsRate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rate := rapid.Uint64Range(1, 1000).Draw(t, "rate")
		burst := rapid.Uint64Range(1, 1000).Draw(t, "burst")
		steps := rapid.SliceOfN(rapid.Int64Range(0, int64(time.Second)), 1, 200).Draw(t, "steps")
		var b bucket
		now, start := int64(1), int64(1)
		var taken uint64
		for _, d := range steps {
			now += d
			if b.take(now, rate, burst) {
				taken++
			}
			limit := burst + uint64(now-start)*rate/uint64(time.Second)
			if taken > limit {
				t.Fatalf("took %d reports by %d ns, limit %d", taken, now-start, limit)
			}
		}
	})
}
