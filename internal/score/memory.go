package score

// Memory of an epoch's scoring. The Go collector lets the heap grow to twice
// the live heap before it collects (GOGC=100), so an epoch whose scoring
// holds 1.75 GB live (a million coverage devices, eleven million reports:
// BENCHMARKS.md, epoch) would peak above 3 GiB. A soft memory limit
// (runtime/debug.SetMemoryLimit) makes the collector run before that. The
// oracle and `depin bench epoch` set one while they score an epoch, derived
// from its size by MemoryLimit, unless GOMEMLIMIT is set in the environment.

const (
	// ScoreBytesPerReport is the live heap one report costs while the
	// coverage scorer runs over an input in memory (its columns, its
	// verdict and its share of the scorer's indexes; measured: 1.75 GB at
	// 11M reports, `depin bench epoch`).
	ScoreBytesPerReport = 160
	// OracleBytesPerReport is the live heap one report costs on the
	// oracle's path, where segments are stored as they are verified and
	// explanations are written one device at a time (issue 18): the
	// collected columns (about 140 bytes), the compact verdicts and the
	// scorer's working set. Measured with `depin bench epoch --oracle`
	// (BENCHMARKS.md, "Issue 18, third pass"): 301 MB live at most at 1.1M
	// reports, 1.92 GB while scoring 11M (2.23 GB for a moment at the end),
	// about 175 bytes a report. 150 keeps a million devices' estimate
	// under the default cap, so that they are scored under the cap's limit
	// (the heap held near the live heap, the collector busy) rather than
	// with none (the heap growing to twice the live heap between
	// collections).
	OracleBytesPerReport = 150
	// MinMemoryLimit is the smallest limit MemoryLimit derives (256 MiB):
	// below it collections would be frequent for no gain.
	MinMemoryLimit = 256 << 20
	// DefaultMemoryLimitCap is the default cap (1,800 MiB): with it the
	// heap of a million-device epoch scored in memory stays under 2 GiB
	// (the heap grows a little past the limit while a collection runs).
	DefaultMemoryLimitCap = 1800 << 20
)

// MemoryLimit is the soft memory limit for scoring an epoch of reports
// reports at perReport live bytes each: twice its estimated live heap (what
// GOGC=100 pacing would reach anyway), at least MinMemoryLimit and at most
// capBytes, so that the limit only changes the pacing of an epoch too large
// for the cap. It returns 0 (set no limit) when capBytes is 0 or less, or
// when the estimated live heap itself is above the cap: a limit below what
// must stay live only makes the collector run without end.
func MemoryLimit(reports, perReport uint64, capBytes int64) int64 {
	return MemoryLimitOver(0, reports, perReport, capBytes)
}

// MemoryLimitOver is MemoryLimit for a process whose heap already holds
// base live bytes besides the epoch (a node: its caches, its mempool, other
// services): base plus the epoch's limit, with the cap applying to the sum,
// and no limit when base plus the epoch's estimated live heap is above the
// cap.
func MemoryLimitOver(base, reports, perReport uint64, capBytes int64) int64 {
	if capBytes <= 0 || perReport == 0 || base >= uint64(capBytes) {
		return 0
	}
	if base > 0 {
		l := MemoryLimitOver(0, reports, perReport, capBytes-int64(base))
		if l == 0 {
			return 0
		}
		return int64(base) + l
	}
	if reports > uint64(capBytes)/perReport {
		return 0
	}
	live := int64(reports * perReport)
	if live > capBytes/2 {
		return capBytes
	}
	return min(max(2*live, MinMemoryLimit), capBytes)
}
