package reward

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
)

// testAddr is a deterministic, well-spread device address.
func testAddr(i int) ledger.Address {
	sum := sha256.Sum256(fmt.Appendf(nil, "device-%d", i))
	var a ledger.Address
	copy(a[:], sum[:])
	return a
}

// testEntries returns n valid manifest entries, sorted by device.
func testEntries(n int) []Entry {
	entries := make([]Entry, 0, n)
	for i := range n {
		entries = append(entries, Entry{Device: testAddr(i), Cumulative: uint64(i)*1000 + 1})
	}
	sortEntries(entries)
	return entries
}

// rfcRoot is the RFC 9162 §2.1.1 recursive definition of the Merkle tree
// hash, written independently of merkle.go: MTH({}) = SHA-256(),
// MTH({d}) = SHA-256(0x00 || d), MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) ||
// MTH(D[k:n])) with k the largest power of two smaller than n.
func rfcRoot(entries []Entry) [32]byte {
	switch len(entries) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		b := append([]byte{0}, entries[0].Device[:]...)
		b = binary.BigEndian.AppendUint64(b, entries[0].Cumulative)
		return sha256.Sum256(b)
	}
	k := 1
	for k*2 < len(entries) {
		k *= 2
	}
	l, r := rfcRoot(entries[:k]), rfcRoot(entries[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func TestRootMatchesRFC9162(t *testing.T) {
	for n := 0; n <= 70; n++ {
		entries := testEntries(n)
		m := Manifest{Entries: entries}
		want := Hash(rfcRoot(entries))
		if got := m.Root(); got != want {
			t.Errorf("n=%d: Root() = %s, want %s", n, got, want)
		}
		if got := NewTree(entries).Root(); got != want {
			t.Errorf("n=%d: Tree.Root() = %s, want %s", n, got, want)
		}
	}
}

func TestEmptyRoot(t *testing.T) {
	const want = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // SHA-256 of ""
	if got := (&Manifest{}).Root().String(); got != want {
		t.Errorf("empty root = %s, want %s", got, want)
	}
}

func TestLeafAndNodeAreDomainSeparated(t *testing.T) {
	// A leaf whose bytes look like two child hashes must not hash like a node.
	a, b := LeafHash(testAddr(1), 1), LeafHash(testAddr(2), 2)
	n := merkle.NodeHash(&a, &b)
	raw := sha256.Sum256(append(a[:], b[:]...))
	if n == Hash(raw) {
		t.Fatalf("node hash equals the unprefixed hash of its children")
	}
	if LeafHash(testAddr(1), 1) == LeafHash(testAddr(1), 2) {
		t.Fatalf("leaf hash ignores the cumulative total")
	}
}

func TestProofsVerify(t *testing.T) {
	for n := 1; n <= 70; n++ {
		entries := testEntries(n)
		m := &Manifest{Entries: entries}
		root := m.Root()
		tree := NewTree(entries)
		for i, e := range entries {
			p, ok := tree.Proof(uint64(i))
			if !ok {
				t.Fatalf("n=%d: Proof(%d) not found", n, i)
			}
			if !VerifyProof(root, e.Device, e.Cumulative, p) {
				t.Fatalf("n=%d i=%d: valid proof %+v does not verify", n, i, p)
			}
			mp, err := m.Proof(e.Device)
			if err != nil {
				t.Fatalf("n=%d: Manifest.Proof(%s): %v", n, e.Device, err)
			}
			if mp.Index != p.Index || mp.Size != p.Size || len(mp.Path) != len(p.Path) {
				t.Fatalf("n=%d i=%d: Manifest.Proof = %+v, want %+v", n, i, mp, p)
			}
			checkTamperedProofs(t, root, e, p)
		}
		if _, ok := tree.Proof(uint64(n)); ok {
			t.Errorf("n=%d: Proof(%d) past the end returned ok", n, n)
		}
	}
}

// checkTamperedProofs asserts that every single change to a valid proof,
// its device or its amount makes it fail.
func checkTamperedProofs(t *testing.T, root Hash, e Entry, p Proof) {
	t.Helper()
	fail := func(what string, device ledger.Address, cumulative uint64, q Proof) {
		t.Helper()
		if VerifyProof(root, device, cumulative, q) {
			t.Fatalf("tampered %s verifies: proof %+v", what, q)
		}
	}
	fail("amount +1", e.Device, e.Cumulative+1, p)
	fail("amount -1", e.Device, e.Cumulative-1, p)
	d := e.Device
	d[19] ^= 1
	fail("device", d, e.Cumulative, p)
	fail("index +1", e.Device, e.Cumulative, Proof{Index: p.Index + 1, Size: p.Size, Path: p.Path})
	if p.Index > 0 {
		fail("index -1", e.Device, e.Cumulative, Proof{Index: p.Index - 1, Size: p.Size, Path: p.Path})
	}
	// Size is not checked on its own: RFC 9162 proofs bind a size only as far
	// as it shapes the leaf's path, and the root binds the rest.
	fail("size 0", e.Device, e.Cumulative, Proof{Index: p.Index, Size: 0, Path: p.Path})
	for k := range p.Path {
		q := Proof{Index: p.Index, Size: p.Size, Path: append([]Hash(nil), p.Path...)}
		q.Path[k][0] ^= 0x80
		fail(fmt.Sprintf("path[%d]", k), e.Device, e.Cumulative, q)
	}
	if len(p.Path) > 0 {
		fail("truncated path", e.Device, e.Cumulative, Proof{Index: p.Index, Size: p.Size, Path: p.Path[:len(p.Path)-1]})
	}
	fail("extended path", e.Device, e.Cumulative, Proof{Index: p.Index, Size: p.Size, Path: append(append([]Hash(nil), p.Path...), root)})
	bad := root
	bad[0] ^= 1
	if VerifyProof(bad, e.Device, e.Cumulative, p) {
		t.Fatalf("proof verifies against a wrong root")
	}
}

func TestProofUnknownDevice(t *testing.T) {
	m := &Manifest{Epoch: 3, Entries: testEntries(5)}
	_, err := m.Proof(testAddr(99))
	le, ok := err.(*ledger.Error)
	if !ok || le.Code != ledger.CodeUnknownDevice {
		t.Fatalf("Proof(unknown) error = %v, want code %v", err, ledger.CodeUnknownDevice)
	}
	empty := &Manifest{}
	if _, err := empty.Proof(testAddr(0)); err == nil {
		t.Fatalf("Proof on an empty manifest: got no error, want one")
	}
}

func TestSingleEntryProof(t *testing.T) {
	entries := testEntries(1)
	m := &Manifest{Entries: entries}
	p, err := m.Proof(entries[0].Device)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Path) != 0 {
		t.Errorf("got a path of %d hashes for a one-entry tree, want 0", len(p.Path))
	}
	if m.Root() != LeafHash(entries[0].Device, entries[0].Cumulative) {
		t.Errorf("one-entry root is not the leaf hash")
	}
	if !VerifyProof(m.Root(), entries[0].Device, entries[0].Cumulative, p) {
		t.Errorf("one-entry proof does not verify")
	}
}
