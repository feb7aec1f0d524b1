package compute

import (
	"crypto/sha256"
	"encoding/binary"
)

// CommitDomain separates task result commitments from every other hash.
const CommitDomain = "depin/compute/commit/v1"

// Commitment is what a provider commits for a task result before any
// result is revealed: SHA-256("depin/compute/commit/v1" | job (8) | task
// (4) | round (4) | provider address | SHA-256(result)), integers
// big-endian. Binding the provider's address means a commitment copied
// from another provider never opens for the copier.
func Commitment(job uint64, task, round uint32, provider [20]byte, resultHash []byte) [32]byte {
	b := make([]byte, 0, len(CommitDomain)+16+len(provider)+len(resultHash))
	b = append(b, CommitDomain...)
	b = binary.BigEndian.AppendUint64(b, job)
	b = binary.BigEndian.AppendUint32(b, task)
	b = binary.BigEndian.AppendUint32(b, round)
	b = append(b, provider[:]...)
	b = append(b, resultHash...)
	return sha256.Sum256(b)
}
