package merkle

// maxPath is the longest audit path of any tree (2^64 leaves at most).
const maxPath = 64

// Proof shows that one leaf is in a tree: the leaf's index, the number of
// leaves, and the sibling hashes from the leaf up to the root (RFC 9162
// §2.1.3 inclusion proof).
type Proof struct {
	Index uint64
	Size  uint64
	Path  []Hash
}

// Tree keeps every level of a tree so that many proofs can be served without
// rehashing (an oracle answering claims).
type Tree struct {
	levels [][]Hash // levels[0] are the leaves, the last level is the root
}

// NewTree builds the tree over leaves (leaf hashes, in order). The tree keeps
// leaves: the caller must not modify them afterwards.
func NewTree(leaves []Hash) *Tree {
	t := &Tree{levels: [][]Hash{leaves}}
	for level := leaves; len(level) > 1; {
		level = nextLevel(make([]Hash, (len(level)+1)/2), level)
		t.levels = append(t.levels, level)
	}
	return t
}

// Len is the number of leaves.
func (t *Tree) Len() uint64 { return uint64(len(t.levels[0])) }

// Root returns the tree's root.
func (t *Tree) Root() Hash {
	top := t.levels[len(t.levels)-1]
	if len(top) == 0 {
		return EmptyRoot
	}
	return top[0]
}

// Proof returns the inclusion proof of the leaf at index, and false if index
// is out of range.
func (t *Tree) Proof(index uint64) (Proof, bool) {
	size := t.Len()
	if index >= size {
		return Proof{}, false
	}
	p := Proof{Index: index, Size: size}
	i := index
	for _, level := range t.levels[:len(t.levels)-1] {
		n := uint64(len(level))
		switch {
		case i%2 == 1:
			p.Path = append(p.Path, level[i-1])
		case i+1 < n:
			p.Path = append(p.Path, level[i+1])
		}
		// An odd last node has no sibling at this level: it is carried up.
		i /= 2
	}
	return p, true
}

// VerifyProof reports whether proof shows that the leaf hash leaf is in the
// tree whose root is root (RFC 9162 §2.1.3.2). It never panics on malformed
// proofs. Index and Size are trusted only as far as they shape the path: a
// root does not commit to the number of leaves otherwise.
func VerifyProof(root, leaf Hash, proof Proof) bool {
	if proof.Index >= proof.Size || len(proof.Path) > maxPath {
		return false
	}
	fn, sn := proof.Index, proof.Size-1
	r := leaf
	for i := range proof.Path {
		if sn == 0 {
			return false
		}
		if fn%2 == 1 || fn == sn {
			r = NodeHash(&proof.Path[i], &r)
			for fn%2 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(&r, &proof.Path[i])
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && r == root
}
