// Package merkle is depin's one Merkle tree: the RFC 6962 tree hash
// (Certificate Transparency, §2.1; the same shape as RFC 9162 §2.1) over
// SHA-256, with inclusion proofs.
//
// Contract:
//   - a leaf is hashed as SHA-256(0x00 || data) and an interior node as
//     SHA-256(0x01 || left || right), so a leaf can never pass for a node;
//   - the tree over n > 1 leaves splits at the largest power of two smaller
//     than n; built bottom-up, a level's odd last node is carried up
//     unchanged (never duplicated, which would let two leaf lists share a
//     root);
//   - the empty tree's root is SHA-256 of no bytes, one leaf's root is its
//     leaf hash;
//   - VerifyProof follows RFC 9162 §2.1.3.2 and never panics on malformed
//     input; it proves membership only, since a root does not commit to the
//     number of leaves beyond the shape of a leaf's path.
//
// Ingest's segment roots and the reward manifest's root are both this tree;
// the package is pure (no I/O, no clock) so the ledger and replay can use it.
package merkle
