package reward

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
)

// proofSeed is one FuzzVerifyProof input: a manifest of n test entries and
// a claimed proof against its root.
type proofSeed struct {
	n            uint8
	index, size  uint64
	path, device []byte
	cumulative   uint64
}

const fuzzMaxEntries = 40

// fuzzEntries caches the manifests FuzzVerifyProof checks against.
var fuzzEntries = func() [][]Entry {
	out := make([][]Entry, fuzzMaxEntries+1)
	for n := range out {
		out[n] = testEntries(n)
	}
	return out
}()

// proofSeeds are honest proofs (the fuzzer mutates them) and garbage.
func proofSeeds() []proofSeed {
	var seeds []proofSeed
	for _, c := range []struct{ n, i int }{{1, 0}, {2, 1}, {3, 2}, {5, 4}, {7, 3}, {16, 9}, {33, 32}} {
		e := fuzzEntries[c.n]
		p, _ := NewTree(e).Proof(uint64(c.i))
		var path []byte
		for _, h := range p.Path {
			path = append(path, h[:]...)
		}
		seeds = append(seeds, proofSeed{uint8(c.n), p.Index, p.Size, path, e[c.i].Device[:], e[c.i].Cumulative})
	}
	// A real entry proved at another position of a same-shaped path: entry 2
	// of 3 as the right leaf of a 2-leaf tree whose left child is H(L0, L1).
	three := fuzzEntries[3]
	l0, l1 := LeafHash(three[0].Device, three[0].Cumulative), LeafHash(three[1].Device, three[1].Cumulative)
	left := merkle.NodeHash(&l0, &l1)
	seeds = append(seeds,
		proofSeed{3, 1, 2, left[:], three[2].Device[:], three[2].Cumulative},
		proofSeed{0, 0, 0, nil, nil, 0},
		proofSeed{4, 1 << 63, 1<<64 - 1, make([]byte, 64*32), make([]byte, 20), 1})
	return seeds
}

func FuzzVerifyProof(f *testing.F) {
	for _, s := range proofSeeds() {
		f.Add(s.n, s.index, s.size, s.path, s.device, s.cumulative)
	}
	f.Fuzz(func(t *testing.T, n uint8, index, size uint64, path, device []byte, cumulative uint64) {
		entries := fuzzEntries[int(n)%(fuzzMaxEntries+1)]
		root := (&Manifest{Entries: entries}).Root()
		p := Proof{Index: index, Size: size}
		for len(path) >= HashLen {
			p.Path = append(p.Path, Hash(path[:HashLen]))
			path = path[HashLen:]
		}
		var d ledger.Address
		copy(d[:], device)
		if !VerifyProof(root, d, cumulative, p) {
			return
		}
		// Soundness: only a real entry verifies. The index is not checked:
		// the root does not commit to the entry count, so a proof can place a
		// real entry at another position of a same-shaped path.
		i, ok := (&Manifest{Entries: entries}).Find(d)
		if !ok || entries[i].Cumulative != cumulative {
			t.Fatalf("proof %+v verifies (%s, %d), which is not an entry of the %d", p, d, cumulative, len(entries))
		}
	})
}
