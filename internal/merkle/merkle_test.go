package merkle

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// rfcRoot is RFC 6962 §2.1's recursive definition written directly on the
// data list, independently of merkle.go: MTH({}) = SHA-256(),
// MTH({d}) = SHA-256(0x00 || d), MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) ||
// MTH(D[k:n])) with k the largest power of two smaller than n.
func rfcRoot(data [][]byte) Hash {
	switch len(data) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, data[0]...))
	}
	k := 1
	for k*2 < len(data) {
		k *= 2
	}
	l, r := rfcRoot(data[:k]), rfcRoot(data[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func testData(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "leaf-%d", i)
	}
	return out
}

func leavesOf(data [][]byte) []Hash {
	out := make([]Hash, len(data))
	for i, d := range data {
		out[i] = LeafHash(d)
	}
	return out
}

func TestKnownValues(t *testing.T) {
	// The empty tree and the tree of one empty leaf (RFC 6962 §2.1; the
	// values are the Certificate Transparency test vectors).
	if got, want := Root(nil).String(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("empty root: got %s, want %s", got, want)
	}
	if got, want := Root([]Hash{LeafHash(nil)}).String(), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"; got != want {
		t.Errorf("root of one empty leaf: got %s, want %s", got, want)
	}
}

func TestRootMatchesRFC(t *testing.T) {
	for n := 0; n <= 70; n++ {
		data := testData(n)
		want := rfcRoot(data)
		leaves := leavesOf(data)
		if got := Root(leaves); got != want {
			t.Errorf("n=%d: Root = %s, want %s", n, got, want)
		}
		if got := NewTree(leavesOf(data)).Root(); got != want {
			t.Errorf("n=%d: Tree.Root = %s, want %s", n, got, want)
		}
		if got := RootInPlace(leavesOf(data)); got != want {
			t.Errorf("n=%d: RootInPlace = %s, want %s", n, got, want)
		}
		if n > 0 && leaves[n-1] != LeafHash(data[n-1]) {
			t.Errorf("n=%d: Root modified its input", n)
		}
	}
}

func TestLeafAndNodeAreDomainSeparated(t *testing.T) {
	a, b := LeafHash([]byte("a")), LeafHash([]byte("b"))
	n := NodeHash(&a, &b)
	if n == LeafHash(append(a[:], b[:]...)) {
		t.Fatalf("a node hashes like a leaf holding its children")
	}
	if n == Hash(sha256.Sum256(append(a[:], b[:]...))) {
		t.Fatalf("node hash equals the unprefixed hash of its children")
	}
}

func TestProofsVerify(t *testing.T) {
	for n := 1; n <= 70; n++ {
		leaves := leavesOf(testData(n))
		tree := NewTree(leaves)
		root := tree.Root()
		for i := range leaves {
			p, ok := tree.Proof(uint64(i))
			if !ok {
				t.Fatalf("n=%d: Proof(%d) not found", n, i)
			}
			if !VerifyProof(root, leaves[i], p) {
				t.Fatalf("n=%d i=%d: valid proof %+v does not verify", n, i, p)
			}
			checkTampered(t, root, leaves[i], p)
		}
		if _, ok := tree.Proof(uint64(n)); ok {
			t.Errorf("n=%d: Proof(%d) past the end returned ok", n, n)
		}
	}
}

// checkTampered asserts that every single change to a valid proof or its
// leaf makes it fail.
func checkTampered(t *testing.T, root, leaf Hash, p Proof) {
	t.Helper()
	fail := func(what string, l Hash, q Proof) {
		t.Helper()
		if VerifyProof(root, l, q) {
			t.Fatalf("tampered %s verifies: proof %+v", what, q)
		}
	}
	other := leaf
	other[31] ^= 1
	fail("leaf", other, p)
	fail("index +1", leaf, Proof{Index: p.Index + 1, Size: p.Size, Path: p.Path})
	if p.Index > 0 {
		fail("index -1", leaf, Proof{Index: p.Index - 1, Size: p.Size, Path: p.Path})
	}
	fail("size 0", leaf, Proof{Index: p.Index, Size: 0, Path: p.Path})
	for k := range p.Path {
		q := Proof{Index: p.Index, Size: p.Size, Path: append([]Hash(nil), p.Path...)}
		q.Path[k][0] ^= 0x80
		fail(fmt.Sprintf("path[%d]", k), leaf, q)
	}
	if len(p.Path) > 0 {
		fail("truncated path", leaf, Proof{Index: p.Index, Size: p.Size, Path: p.Path[:len(p.Path)-1]})
	}
	fail("extended path", leaf, Proof{Index: p.Index, Size: p.Size, Path: append(append([]Hash(nil), p.Path...), root)})
	bad := root
	bad[0] ^= 1
	if VerifyProof(bad, leaf, p) {
		t.Fatalf("proof verifies against a wrong root")
	}
}

func TestRootProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := rapid.SliceOfN(rapid.SliceOfN(rapid.Byte(), 0, 8), 0, 40).Draw(t, "data")
		leaves := leavesOf(data)
		if got, want := Root(leaves), rfcRoot(data); got != want {
			t.Fatalf("got root %s, want %s", got, want)
		}
	})
}
