package score

import "testing"

func TestMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name    string
		reports uint64
		cap     int64
		want    int64
	}{
		{"no cap, no limit", 11_000_000, 0, 0},
		{"negative cap, no limit", 11_000_000, -1, 0},
		{"small epoch: the floor", 110_000, DefaultMemoryLimitCap, MinMemoryLimit},
		{"100k devices: twice the live heap", 1_100_000, DefaultMemoryLimitCap, 2 * 1_100_000 * LiveBytesPerReport},
		{"1M devices: the cap", 11_000_000, DefaultMemoryLimitCap, DefaultMemoryLimitCap},
		{"cap below the floor wins", 10, 100 * mib, 100 * mib},
		{"huge count does not overflow", 1 << 62, DefaultMemoryLimitCap, DefaultMemoryLimitCap},
		{"huge cap does not overflow", 1 << 60, 1 << 62, 1 << 62},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MemoryLimit(tt.reports, tt.cap); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
