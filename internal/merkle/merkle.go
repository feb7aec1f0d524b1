package merkle

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashLen is the length of a tree hash in bytes.
const HashLen = sha256.Size

// Hash is a leaf hash, an interior node or a root.
type Hash [HashLen]byte

// String renders the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// EmptyRoot is the root of a tree with no leaves: SHA-256 of no bytes.
var EmptyRoot = Hash(sha256.Sum256(nil))

const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// LeafHash is the hash of one leaf: SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash is the hash of an interior node: SHA-256(0x01 || left || right).
func NodeHash(left, right *Hash) Hash {
	var buf [1 + 2*HashLen]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[1+HashLen:], right[:])
	return sha256.Sum256(buf[:])
}

// Root returns the root of the tree over leaves (leaf hashes, in order).
// It does not modify leaves.
func Root(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return EmptyRoot
	case 1:
		return leaves[0]
	}
	level := make([]Hash, (len(leaves)+1)/2)
	level = nextLevel(level, leaves)
	return RootInPlace(level)
}

// RootInPlace returns the root of the tree over leaves, overwriting leaves
// with intermediate levels: the allocation-free form of Root for callers
// that own their leaf slice.
func RootInPlace(leaves []Hash) Hash {
	if len(leaves) == 0 {
		return EmptyRoot
	}
	for len(leaves) > 1 {
		leaves = nextLevel(leaves, leaves)
	}
	return leaves[0]
}

// nextLevel hashes a level's nodes pairwise into the level above, carrying
// an odd last node up unchanged. It writes into dst, which may alias level
// (each write goes to an index no greater than the ones it reads).
func nextLevel(dst, level []Hash) []Hash {
	n := len(level)
	dst = dst[:(n+1)/2]
	for i := 0; i+1 < n; i += 2 {
		dst[i/2] = NodeHash(&level[i], &level[i+1])
	}
	if n%2 == 1 {
		dst[n/2] = level[n-1]
	}
	return dst
}
