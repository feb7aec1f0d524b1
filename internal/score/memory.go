package score

// Memory of an epoch's scoring. The Go collector lets the heap grow to twice
// the live heap before it collects (GOGC=100), so an epoch whose scoring
// holds 1.75 GB live (a million coverage devices, eleven million reports:
// BENCHMARKS.md, epoch) would peak above 3 GiB. A soft memory limit
// (runtime/debug.SetMemoryLimit) makes the collector run before that. The
// oracle and `depin bench epoch` set one while they score an epoch, derived
// from its size by MemoryLimit, unless GOMEMLIMIT is set in the environment.

const (
	// LiveBytesPerReport is the live heap one report of an epoch costs
	// while it is scored: its input columns, its verdict and its share of
	// the scorer's indexes (measured: 1.75 GB at 11M coverage reports).
	LiveBytesPerReport = 160
	// MinMemoryLimit is the smallest limit MemoryLimit derives (256 MiB):
	// below it collections would be frequent for no gain.
	MinMemoryLimit = 256 << 20
	// DefaultMemoryLimitCap is the default cap (1,800 MiB): with it the
	// heap of a million-device epoch stays under 2 GiB (the heap grows a
	// little past the limit while a collection runs).
	DefaultMemoryLimitCap = 1800 << 20
)

// MemoryLimit is the soft memory limit for scoring an epoch of reports
// reports: twice its estimated live heap (what GOGC=100 pacing would reach
// anyway), at least MinMemoryLimit and at most capBytes, so that the limit
// only changes the pacing of an epoch too large for the cap. A cap of 0 or
// less means no limit: it returns 0.
func MemoryLimit(reports uint64, capBytes int64) int64 {
	if capBytes <= 0 {
		return 0
	}
	if reports >= uint64(capBytes)/(2*LiveBytesPerReport) {
		return capBytes
	}
	limit := 2 * int64(reports) * LiveBytesPerReport
	return min(max(limit, MinMemoryLimit), capBytes)
}
