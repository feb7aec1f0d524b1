package reward

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/depin-network/depin/internal/ledger"
)

// The Merkle tree over manifest entries follows RFC 9162 §2.1 (Certificate
// Transparency v2, the same shape as RFC 6962): SHA-256, leaves hashed as
// H(0x00 || leaf), interior nodes as H(0x01 || left || right), so a leaf can
// never be passed off as a node. A level with an odd number of nodes carries
// its last node up unchanged (no duplication, which would let two different
// entry lists share a root). The empty tree's root is SHA-256 of no bytes.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// HashLen is the length of a tree hash in bytes.
const HashLen = sha256.Size

// Hash is a node of the manifest tree, and the tree's root.
type Hash [HashLen]byte

// String renders the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// EmptyRoot is the root of a manifest with no entries.
var EmptyRoot = Hash(sha256.Sum256(nil))

// leafLen is the size of a hashed leaf: prefix, device, cumulative total.
const leafLen = 1 + ledger.AddressLen + 8

// LeafHash is the hash of one manifest entry:
// SHA-256(0x00 || device (20 bytes) || cumulative (8 bytes, big-endian)).
func LeafHash(device ledger.Address, cumulative uint64) Hash {
	var buf [leafLen]byte
	buf[0] = leafPrefix
	copy(buf[1:], device[:])
	binary.BigEndian.PutUint64(buf[1+ledger.AddressLen:], cumulative)
	return sha256.Sum256(buf[:])
}

// nodeHash is SHA-256(0x01 || left || right).
func nodeHash(left, right *Hash) Hash {
	var buf [1 + 2*HashLen]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[1+HashLen:], right[:])
	return sha256.Sum256(buf[:])
}

// leafHashes hashes every entry in order.
func leafHashes(entries []Entry) []Hash {
	out := make([]Hash, len(entries))
	for i := range entries {
		out[i] = LeafHash(entries[i].Device, entries[i].Cumulative)
	}
	return out
}

// nextLevel hashes a level's nodes pairwise into the level above, carrying
// an odd last node up unchanged. It writes into dst, which may alias level.
func nextLevel(dst, level []Hash) []Hash {
	n := len(level)
	dst = dst[:(n+1)/2]
	for i := 0; i+1 < n; i += 2 {
		dst[i/2] = nodeHash(&level[i], &level[i+1])
	}
	if n%2 == 1 {
		dst[n/2] = level[n-1]
	}
	return dst
}

// rootOf computes the root of a leaf level in place, overwriting it.
func rootOf(level []Hash) Hash {
	if len(level) == 0 {
		return EmptyRoot
	}
	for len(level) > 1 {
		level = nextLevel(level, level)
	}
	return level[0]
}

// Proof shows that one entry is in a manifest: the entry's index, the number
// of entries, and the sibling hashes from the leaf up to the root (RFC 9162
// §2.1.3 inclusion proof).
type Proof struct {
	Index uint64
	Size  uint64
	Path  []Hash
}

// Tree keeps every level of a manifest's tree so that many proofs can be
// served without rehashing (an oracle answering claims).
type Tree struct {
	levels [][]Hash // levels[0] are the leaves, the last level is the root
}

// NewTree builds the tree of entries, which must be a valid manifest's.
func NewTree(entries []Entry) *Tree {
	level := leafHashes(entries)
	t := &Tree{levels: [][]Hash{level}}
	for len(level) > 1 {
		level = nextLevel(make([]Hash, (len(level)+1)/2), level)
		t.levels = append(t.levels, level)
	}
	return t
}

// Root returns the tree's root.
func (t *Tree) Root() Hash {
	top := t.levels[len(t.levels)-1]
	if len(top) == 0 {
		return EmptyRoot
	}
	return top[0]
}

// Proof returns the inclusion proof of the entry at index, and false if
// index is out of range.
func (t *Tree) Proof(index uint64) (Proof, bool) {
	size := uint64(len(t.levels[0]))
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

// VerifyProof reports whether proof shows that the entry (device,
// cumulative) is in the manifest whose root is root. It follows the RFC 9162
// §2.1.3.2 verification algorithm and never panics on malformed proofs.
// It proves membership only: the root does not commit to the number of
// entries, so Index and Size are trusted only as far as they shape the path.
// Manifests hold each device once, so membership is all a claim needs.
func VerifyProof(root Hash, device ledger.Address, cumulative uint64, proof Proof) bool {
	if proof.Index >= proof.Size || len(proof.Path) > 64 {
		return false
	}
	fn, sn := proof.Index, proof.Size-1
	r := LeafHash(device, cumulative)
	for i := range proof.Path {
		if sn == 0 {
			return false
		}
		if fn%2 == 1 || fn == sn {
			r = nodeHash(&proof.Path[i], &r)
			for fn%2 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = nodeHash(&r, &proof.Path[i])
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && r == root
}
