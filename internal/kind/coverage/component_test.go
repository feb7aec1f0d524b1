package coverage

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestIsolatedGroups: a network of five linked devices and a ring of three
// far away that witness only one another: the ring's members are marked
// with its size, the network's are not, unlinked devices are not.
func TestIsolatedGroups(t *testing.T) {
	c := newComponents(10)
	linked := make([]bool, 10)
	link := func(a, b int32) { c.link(a, b); linked[a], linked[b] = true, true }
	for _, e := range [][2]int32{{0, 1}, {1, 2}, {2, 3}, {3, 5}} { // the network: 0 1 2 3 5
		link(e[0], e[1])
	}
	for _, e := range [][2]int32{{6, 7}, {7, 8}, {8, 6}} { // the ring: 6 7 8
		link(e[0], e[1])
	}
	got := c.isolated(linked, identityRank(10))
	want := []uint32{0, 0, 0, 0, 0, 0, 3, 3, 3, 0}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestIsolatedMatchesReference compares the union-find with the test's
// breadth-first labelling on random graphs, ties between equal components
// included.
func TestIsolatedMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 30).Draw(t, "n")
		edges := rapid.SliceOfN(rapid.SliceOfN(rapid.Int32Range(0, int32(n-1)), 2, 2), 0, 40).Draw(t, "edges")
		c := newComponents(n)
		linked := make([]bool, n)
		var links [][2]int32
		for _, e := range edges {
			if e[0] == e[1] {
				continue // no self links: a device never witnesses itself
			}
			c.link(e[0], e[1])
			linked[e[0]], linked[e[1]] = true, true
			links = append(links, [2]int32{e[0], e[1]})
		}
		if got, want := c.isolated(linked, identityRank(n)), refIsolated(identityRank(n), links); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

// identityRank ranks n hotspots in index order (the reference's order).
func identityRank(n int) []int32 {
	r := make([]int32, n)
	for i := range r {
		r[i] = int32(i)
	}
	return r
}

// TestIsolatedTieByRank: of two equal components, the one holding the
// lowest-ranked hotspot is the network, whatever the indices.
func TestIsolatedTieByRank(t *testing.T) {
	c := newComponents(4)
	linked := []bool{true, true, true, true}
	c.link(0, 1)
	c.link(2, 3)
	if got, want := c.isolated(linked, []int32{0, 1, 2, 3}), []uint32{0, 0, 2, 2}; !slices.Equal(got, want) {
		t.Fatalf("ranks in index order: got %v, want %v", got, want)
	}
	if got, want := c.isolated(linked, []int32{3, 2, 1, 0}), []uint32{2, 2, 0, 0}; !slices.Equal(got, want) {
		t.Fatalf("ranks reversed: got %v, want %v", got, want)
	}
}
