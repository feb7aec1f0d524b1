package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"

	"github.com/depin-network/depin/internal/merkle"
)

// challengeDomain separates challenge seeds from every other hash.
const challengeDomain = "depin/storage/challenge/v1"

// MaxPath is the longest Merkle path a proof may carry: a shard of 2^40
// leaves (1 PiB of 1 KiB leaves) is far beyond any deal.
const MaxPath = 40

// Leaves is the number of leaves of a shard of size bytes cut into leaves of
// leafSize bytes (the content layout makes size a multiple of leafSize; a
// partial last leaf still counts). It is 0 for an empty shard or leafSize 0.
func Leaves(size, leafSize uint64) uint64 {
	if leafSize == 0 || size == 0 {
		return 0
	}
	return (size + leafSize - 1) / leafSize
}

// LeafIndex is the leaf of a deal's shard challenged in a proof window:
// seed = SHA-256("depin/storage/challenge/v1" | entropy | deal | window), read
// as a 256-bit big-endian number, modulo leaves (Sia's leaf selection,
// reference/next-stage.md §2.1, reduced 64 bits at a time with bits.Div64 so
// the index is uniform up to 2^-192). leaves must be positive.
func LeafIndex(entropy [32]byte, deal, window, leaves uint64) uint64 {
	var b [len(challengeDomain) + 32 + 16]byte
	n := copy(b[:], challengeDomain)
	n += copy(b[n:], entropy[:])
	binary.BigEndian.PutUint64(b[n:], deal)
	binary.BigEndian.PutUint64(b[n+8:], window)
	seed := sha256.Sum256(b[:])
	var rem uint64
	for i := 0; i < 32; i += 8 {
		_, rem = bits.Div64(rem, binary.BigEndian.Uint64(seed[i:]), leaves)
	}
	return rem
}

// VerifyLeaf reports whether leaf is the leaf at index of the shard whose
// Merkle root (internal/merkle, RFC 6962) is root and which has leaves
// leaves, given the sibling path. The leaf count comes from the deal, so the
// path's shape pins the position: a real leaf proved at another index fails.
// It never panics on malformed input.
func VerifyLeaf(root merkle.Hash, leaves, index uint64, leaf []byte, path []merkle.Hash) bool {
	if index >= leaves || len(path) > MaxPath {
		return false
	}
	return merkle.VerifyProof(root, merkle.LeafHash(leaf), merkle.Proof{Index: index, Size: leaves, Path: path})
}
