package coverage

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestSortReportsMatchesSortFunc checks that sortReports gives exactly the
// order of slices.SortFunc with compareReports, ids sharing prefixes and
// whole duplicates included.
func TestSortReportsMatchesSortFunc(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{rapid.IntRange(0, 60).Draw(rt, "small"), rapid.IntRange(radixMin, 3*radixMin).Draw(rt, "large")}).Draw(rt, "n")
		reports := make([]ReportResult, n)
		for i := range reports {
			r := &reports[i]
			r.Role = Role(rapid.IntRange(1, 2).Draw(rt, "role"))
			r.ID[rapid.IntRange(0, 31).Draw(rt, "idpos")] = byte(rapid.IntRange(0, 3).Draw(rt, "idbyte"))
			r.Device[0] = byte(rapid.IntRange(0, 2).Draw(rt, "dev"))
			r.Reason = Reason(rapid.IntRange(0, 3).Draw(rt, "reason"))
			r.Detail = rapid.SampledFrom([]string{"", "a", "b"}).Draw(rt, "detail")
			r.Units = uint64(rapid.IntRange(0, 2).Draw(rt, "units"))
		}
		want := slices.Clone(reports)
		slices.SortFunc(want, compareReports)
		got := slices.Clone(reports)
		sortReports(got)
		for i := range want {
			if compareReports(got[i], want[i]) != 0 {
				rt.Fatalf("position %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

// TestSortByReceivedMatchesSortFunc checks sortByReceived against sorting
// the indices with compareWitnesses directly, with tied receive times and
// ids sharing prefixes, below and above the radix threshold.
func TestSortByReceivedMatchesSortFunc(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{rapid.IntRange(0, 60).Draw(rt, "small"), rapid.IntRange(radixMin, 3*radixMin).Draw(rt, "large")}).Draw(rt, "n")
		spread := rapid.SampledFrom([]int64{0, 4, 1 << 40, 1<<62 + 3}).Draw(rt, "spread")
		base := rapid.Int64().Draw(rt, "base") / 2
		ws := make([]Witness, n)
		for i := range ws {
			ws[i].Received = base + rapid.Int64Range(0, spread).Draw(rt, "received")
			ws[i].ID[rapid.IntRange(0, 31).Draw(rt, "idpos")] = byte(rapid.IntRange(0, 3).Draw(rt, "id"))
			ws[i].SignalDdBm = int32(rapid.IntRange(-2, 2).Draw(rt, "signal"))
		}
		full := func(a, b int32) int { return compareWitnesses(&ws[a], &ws[b]) }
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortFunc(want, full)
		got := sortByReceived(n, func(i int32) int64 { return ws[i].Received }, func(i int32) *[32]byte { return &ws[i].ID }, full)
		for k := range want {
			if full(got[k], want[k]) != 0 {
				rt.Fatalf("position %d: got witness %d %+v, want %d %+v", k, got[k], ws[got[k]], want[k], ws[want[k]])
			}
		}
	})
}
