package coverage

import (
	"bytes"
	"cmp"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestIDRanksMatchSortAndSeenSet checks idRanks against sorting the ids
// and filling a set of seen ids in processing order, with ids sharing long
// prefixes and repeated ids, below and above the radix threshold.
func TestIDRanksMatchSortAndSeenSet(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{rapid.IntRange(0, 60).Draw(rt, "small"), rapid.IntRange(radixMin, 3*radixMin).Draw(rt, "large")}).Draw(rt, "n")
		ids := make([][32]byte, n)
		for i := range ids {
			ids[i][rapid.IntRange(0, 31).Draw(rt, "idpos")] = byte(rapid.IntRange(0, 3).Draw(rt, "idbyte"))
		}
		order := make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
		order = rapid.Permutation(order).Draw(rt, "order")
		pos := make([]int32, n)
		for k, i := range order {
			pos[i] = int32(k)
		}
		rank, repeated, ties := idRanks(nil, n, func(i int32) *[32]byte { return &ids[i] },
			func(a, b int32) int { return cmp.Compare(pos[a], pos[b]) })

		seen := make(map[[32]byte]bool)
		for _, i := range order {
			if repeated[i] != seen[ids[i]] {
				rt.Fatalf("id %x at input %d: got repeated %v, want %v", ids[i][:], i, repeated[i], seen[ids[i]])
			}
			seen[ids[i]] = true
		}
		byRank := make([][32]byte, n)
		filled := make([]bool, n)
		for i, r := range rank {
			if filled[r] {
				rt.Fatalf("rank %d given twice", r)
			}
			filled[r], byRank[r] = true, ids[i]
		}
		want := slices.Clone(ids)
		slices.SortFunc(want, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
		if !slices.Equal(byRank, want) {
			rt.Fatalf("ids by rank are not in id order")
		}
		inTie := make([]bool, n)
		for _, tr := range ties {
			for r := tr[0]; r < tr[1]; r++ {
				inTie[r] = true
				if byRank[r] != byRank[tr[0]] {
					rt.Fatalf("tie range %v holds different ids", tr)
				}
			}
		}
		for r := 0; r+1 < n; r++ {
			if byRank[r] == byRank[r+1] && (!inTie[r] || !inTie[r+1]) {
				rt.Fatalf("ranks %d and %d share an id outside any tie range", r, r+1)
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
		got := sortByReceived(nil, n, func(i int32) int64 { return ws[i].Received }, func(i int32) *[32]byte { return &ws[i].ID }, full)
		for k := range want {
			if full(got[k], want[k]) != 0 {
				rt.Fatalf("position %d: got witness %d %+v, want %d %+v", k, got[k], ws[got[k]], want[k], ws[want[k]])
			}
		}
	})
}
