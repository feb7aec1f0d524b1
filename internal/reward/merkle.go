package reward

import (
	"encoding/binary"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
)

// The manifest's tree is internal/merkle's RFC 6962 tree over one leaf per
// entry, in the manifest's order.

// HashLen is the length of a tree hash in bytes.
const HashLen = merkle.HashLen

// Hash is a node of the manifest tree, and the tree's root.
type Hash = merkle.Hash

// Proof shows that one entry is in a manifest (an RFC 9162 §2.1.3
// inclusion proof).
type Proof = merkle.Proof

// EmptyRoot is the root of a manifest with no entries.
var EmptyRoot = merkle.EmptyRoot

// leafLen is the size of a leaf's data: device, cumulative total.
const leafLen = ledger.AddressLen + 8

// LeafHash is the hash of one manifest entry:
// SHA-256(0x00 || device (20 bytes) || cumulative (8 bytes, big-endian)).
func LeafHash(device ledger.Address, cumulative uint64) Hash {
	var buf [leafLen]byte
	copy(buf[:], device[:])
	binary.BigEndian.PutUint64(buf[ledger.AddressLen:], cumulative)
	return merkle.LeafHash(buf[:])
}

// leafHashes hashes every entry in order.
func leafHashes(entries []Entry) []Hash {
	out := make([]Hash, len(entries))
	for i := range entries {
		out[i] = LeafHash(entries[i].Device, entries[i].Cumulative)
	}
	return out
}

// NewTree builds the tree of entries, which must be a valid manifest's, so
// that many proofs can be served without rehashing (an oracle answering
// claims).
func NewTree(entries []Entry) *merkle.Tree { return merkle.NewTree(leafHashes(entries)) }

// VerifyProof reports whether proof shows that the entry (device,
// cumulative) is in the manifest whose root is root. It proves membership
// only: manifests hold each device once, so membership is all a claim needs.
func VerifyProof(root Hash, device ledger.Address, cumulative uint64, proof Proof) bool {
	return merkle.VerifyProof(root, LeafHash(device, cumulative), proof)
}
