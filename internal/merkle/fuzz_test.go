package merkle

import "testing"

const fuzzMaxLeaves = 40

// fuzzTrees caches the trees FuzzVerifyProof checks against.
var fuzzTrees = func() []*Tree {
	out := make([]*Tree, fuzzMaxLeaves+1)
	for n := range out {
		out[n] = NewTree(leavesOf(testData(n)))
	}
	return out
}()

func FuzzVerifyProof(f *testing.F) {
	add := func(n int, p Proof, data []byte) {
		var path []byte
		for _, h := range p.Path {
			path = append(path, h[:]...)
		}
		f.Add(uint8(n), p.Index, p.Size, path, data)
	}
	for _, c := range []struct{ n, i int }{{1, 0}, {2, 1}, {3, 2}, {5, 4}, {7, 3}, {16, 9}, {33, 32}} {
		tr := fuzzTrees[c.n]
		p, _ := tr.Proof(uint64(c.i))
		add(c.n, p, testData(c.n)[c.i])
	}
	// A real leaf proved at another position of a same-shaped path: leaf 2
	// of 3 as the right child of a 2-leaf tree whose left child is H(L0, L1).
	three := fuzzTrees[3]
	add(3, Proof{Index: 1, Size: 2, Path: []Hash{three.levels[1][0]}}, testData(3)[2])
	f.Add(uint8(0), uint64(0), uint64(0), []byte(nil), []byte(nil))
	f.Add(uint8(4), uint64(1)<<63, uint64(1<<64-1), make([]byte, 64*HashLen), []byte("leaf-0"))
	// The leaf is given as data and hashed, as every caller does: an interior
	// node's hash is not a leaf hash of anything one can find.
	f.Fuzz(func(t *testing.T, n uint8, index, size uint64, path, data []byte) {
		tr := fuzzTrees[int(n)%(fuzzMaxLeaves+1)]
		p := Proof{Index: index, Size: size}
		for len(path) >= HashLen {
			p.Path = append(p.Path, Hash(path[:HashLen]))
			path = path[HashLen:]
		}
		l := LeafHash(data)
		if !VerifyProof(tr.Root(), l, p) {
			return
		}
		// Soundness: only a real leaf verifies (at some position of a
		// same-shaped path: the root does not commit to the leaf count).
		for _, x := range tr.levels[0] {
			if x == l {
				return
			}
		}
		t.Fatalf("proof %+v verifies leaf %s, which is not in the tree of %d", p, l, tr.Len())
	})
}
