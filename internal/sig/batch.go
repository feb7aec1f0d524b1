package sig

import (
	"crypto/rand"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// BatchVerifier verifies many signatures at once under the package's rules.
// Add entries, then call Verify; it reports per entry which signatures are
// valid.
type BatchVerifier struct {
	bv *ed25519.BatchVerifier
	n  int
}

// NewBatchVerifier returns an empty batch verifier.
func NewBatchVerifier() *BatchVerifier {
	return &BatchVerifier{bv: ed25519.NewBatchVerifier()}
}

// Add queues the signature sig by pubKey over SignBytes(domain, msg).
// Malformed keys or signatures are queued too and fail in Verify.
func (b *BatchVerifier) Add(pubKey []byte, domain string, msg, sig []byte) {
	b.AddRaw(pubKey, SignBytes(domain, msg), sig)
}

// AddRaw queues a signature over msg as given, with no domain prefix added.
func (b *BatchVerifier) AddRaw(pubKey, msg, sig []byte) {
	b.bv.AddWithOptions(pubKey, msg, sig, rules)
	b.n++
}

// Len is the number of queued signatures.
func (b *BatchVerifier) Len() int { return b.n }

// Verify checks every queued signature. It returns true if all are valid and,
// in either case, the validity of each entry in the order added. It draws the
// batch's random scalars from crypto/rand: the outcome does not depend on them.
func (b *BatchVerifier) Verify() (bool, []bool) {
	return b.bv.Verify(rand.Reader)
}
