package ingest

import "crypto/sha256"

// LeafHash is the RFC 6962 leaf hash of a log record: SHA-256(0x00 || record).
// It is the hash ingest returns for an accepted report.
func LeafHash(record []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(record)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func nodeHash(l, r [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[33:], r[:])
	return sha256.Sum256(buf[:])
}

// MerkleRoot is the RFC 6962 Merkle tree hash (section 2.1) over leaf
// hashes, in order: the empty tree hashes to SHA-256 of nothing, a single
// leaf to itself, and n > 1 leaves split at the largest power of two below n.
func MerkleRoot(leaves [][32]byte) [32]byte {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return nodeHash(MerkleRoot(leaves[:k]), MerkleRoot(leaves[k:]))
}

// MerkleProof returns the audit path of leaf i (RFC 6962 section 2.1.1),
// from the leaf's sibling up.
func MerkleProof(leaves [][32]byte, i int) [][32]byte {
	if len(leaves) <= 1 {
		return nil
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	if i < k {
		return append(MerkleProof(leaves[:k], i), MerkleRoot(leaves[k:]))
	}
	return append(MerkleProof(leaves[k:], i-k), MerkleRoot(leaves[:k]))
}

// VerifyMerkleProof checks that leaf is at index i of a tree of n leaves
// with the given root (RFC 9162 section 2.1.3.2).
func VerifyMerkleProof(root, leaf [32]byte, i, n int, proof [][32]byte) bool {
	if i < 0 || i >= n {
		return false
	}
	fn, sn := uint64(i), uint64(n-1)
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			r = nodeHash(p, r)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = nodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && r == root
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
