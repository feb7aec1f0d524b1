package storage

import (
	"testing"

	"github.com/depin-network/depin/internal/merkle"
)

func TestLeafIndexIsInRangeAndSpread(t *testing.T) {
	const leaves, draws = 7, 7000
	var counts [leaves]int
	var e [32]byte
	for w := range uint64(draws) {
		i := LeafIndex(e, 1, w, leaves)
		if i >= leaves {
			t.Fatalf("window %d: index %d of %d leaves", w, i, leaves)
		}
		counts[i]++
	}
	for i, c := range counts {
		if c < draws/leaves*8/10 || c > draws/leaves*12/10 {
			t.Errorf("leaf %d drawn %d times of %d: not uniform (%v)", i, c, draws, counts)
		}
	}
	if LeafIndex(e, 1, 5, 1<<40) == LeafIndex(e, 2, 5, 1<<40) {
		t.Errorf("two deals drew the same leaf of 2^40 in one window")
	}
	e[0] = 1
	if got := LeafIndex(e, 1, 5, 1); got != 0 {
		t.Errorf("one leaf: index %d", got)
	}
}

func TestVerifyLeafPinsTheIndex(t *testing.T) {
	data := [][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("d"), []byte("e")}
	hs := make([]merkle.Hash, len(data))
	for i, d := range data {
		hs[i] = merkle.LeafHash(d)
	}
	tree := merkle.NewTree(hs)
	for i := range uint64(len(data)) {
		p, _ := tree.Proof(i)
		if !VerifyLeaf(tree.Root(), 5, i, data[i], p.Path) {
			t.Fatalf("leaf %d rejected", i)
		}
		for j := range uint64(6) {
			if j != i && VerifyLeaf(tree.Root(), 5, j, data[i], p.Path) {
				t.Fatalf("leaf %d verifies at %d", i, j)
			}
		}
		if VerifyLeaf(tree.Root(), 6, i, data[i], p.Path) && i == 4 {
			t.Fatalf("leaf %d verifies with another leaf count", i)
		}
	}
	if VerifyLeaf(tree.Root(), 0, 0, data[0], nil) || VerifyLeaf(tree.Root(), 5, 0, data[0], make([]merkle.Hash, MaxPath+1)) {
		t.Fatalf("degenerate proofs accepted")
	}
}
