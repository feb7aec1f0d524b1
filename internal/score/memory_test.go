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
		{"100k devices on the oracle's path: twice the live heap", 1_100_000, OracleBytesPerReport, DefaultMemoryLimitCap, 2 * 1_100_000 * OracleBytesPerReport},
		{"1M devices on the oracle's path: the cap", 11_000_000, OracleBytesPerReport, DefaultMemoryLimitCap, DefaultMemoryLimitCap},
		{"1M devices at the old oracle estimate do not fit: no limit", 11_000_000, 1000, DefaultMemoryLimitCap, 0},
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

// TestMemoryLimitOver: the heap a process holds besides the epoch is added
// to the epoch's limit, and the cap bounds the sum.
func TestMemoryLimitOver(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name                     string
		base, reports, perReport uint64
		cap                      int64
		want                     int64
	}{
		{"no base is MemoryLimit", 0, 1_100_000, OracleBytesPerReport, DefaultMemoryLimitCap, 2 * 1_100_000 * OracleBytesPerReport},
		{"base added to twice the live heap", 100 * mib, 1_100_000, OracleBytesPerReport, DefaultMemoryLimitCap, 100*mib + 2*1_100_000*OracleBytesPerReport},
		{"base added to the floor", 50 * mib, 1000, OracleBytesPerReport, DefaultMemoryLimitCap, 50*mib + MinMemoryLimit},
		{"the cap bounds the sum", 100 * mib, 11_000_000, OracleBytesPerReport, DefaultMemoryLimitCap, DefaultMemoryLimitCap},
		{"base and epoch above the cap: no limit", 300 * mib, 11_000_000, OracleBytesPerReport, DefaultMemoryLimitCap, 0},
		{"base above the cap: no limit", 2000 * mib, 1000, OracleBytesPerReport, DefaultMemoryLimitCap, 0},
		{"no cap: no limit", 100 * mib, 1000, OracleBytesPerReport, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MemoryLimitOver(tt.base, tt.reports, tt.perReport, tt.cap); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
