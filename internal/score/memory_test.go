package score

import "testing"

func TestMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name      string
		reports   uint64
		perReport uint64
		cap       int64
		want      int64
	}{
		{"no cap, no limit", 11_000_000, ScoreBytesPerReport, 0, 0},
		{"negative cap, no limit", 11_000_000, ScoreBytesPerReport, -1, 0},
		{"small epoch: the floor", 110_000, ScoreBytesPerReport, DefaultMemoryLimitCap, MinMemoryLimit},
		{"100k devices: twice the live heap", 1_100_000, ScoreBytesPerReport, DefaultMemoryLimitCap, 2 * 1_100_000 * ScoreBytesPerReport},
		{"1M devices in memory: the cap", 11_000_000, ScoreBytesPerReport, DefaultMemoryLimitCap, DefaultMemoryLimitCap},
		{"100k devices on the oracle's path: the cap", 1_100_000, OracleBytesPerReport, DefaultMemoryLimitCap, DefaultMemoryLimitCap},
		{"1M devices on the oracle's path do not fit: no limit", 11_000_000, OracleBytesPerReport, DefaultMemoryLimitCap, 0},
		{"live just fits the cap", 1000, mib, 1000 * mib, 1000 * mib},
		{"live just above the cap", 1001, mib, 1000 * mib, 0},
		{"cap below the floor wins", 10, ScoreBytesPerReport, 100 * mib, 100 * mib},
		{"huge count does not overflow", 1 << 62, ScoreBytesPerReport, DefaultMemoryLimitCap, 0},
		{"huge cap does not overflow", 1 << 40, 1, 1 << 62, 1 << 41},
		{"largest cap does not overflow", 1 << 62, 1, 1<<63 - 1, 1<<63 - 1},
		{"no estimate, no limit", 1000, 0, DefaultMemoryLimitCap, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MemoryLimit(tt.reports, tt.perReport, tt.cap); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
