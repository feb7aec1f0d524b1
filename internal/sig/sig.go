package sig

import (
	"crypto/rand"
	"io"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Domain prefixes separate what a key signs for each purpose, so that a
// signature made for one purpose never verifies for another.
const (
	DomainTx     = "depin/tx/v1"
	DomainCert   = "depin/device/cert/v1"
	DomainBind   = "depin/device/bind/v1"
	PubKeyLen    = ed25519.PublicKeySize
	SignatureLen = ed25519.SignatureSize
)

var zip215 = &ed25519.Options{Verify: ed25519.VerifyOptionsZIP_215}

// SignBytes returns the bytes a signature covers: the domain, a zero byte and
// the message.
func SignBytes(domain string, msg []byte) []byte {
	b := make([]byte, 0, len(domain)+1+len(msg))
	b = append(b, domain...)
	b = append(b, 0)
	return append(b, msg...)
}

// Verify checks an ed25519 signature over SignBytes(domain, msg) under the
// ZIP-215 rules, the same rules the batch verifier applies, so that every node
// accepts exactly the same signatures.
func Verify(pubKey []byte, domain string, msg, sig []byte) bool {
	if len(pubKey) != PubKeyLen || len(sig) != SignatureLen {
		return false
	}
	return ed25519.VerifyWithOptions(pubKey, SignBytes(domain, msg), sig, zip215)
}

// Sign signs SignBytes(domain, msg) with an ed25519 private key.
func Sign(priv ed25519.PrivateKey, domain string, msg []byte) []byte {
	return ed25519.Sign(priv, SignBytes(domain, msg))
}

// GenerateKey makes an ed25519 key pair from r (crypto/rand if nil).
func GenerateKey(r io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	if r == nil {
		r = rand.Reader
	}
	return ed25519.GenerateKey(r)
}

// KeyFromSeed derives an ed25519 private key from a 32-byte seed.
func KeyFromSeed(seed []byte) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed) }

// BatchVerifier verifies many signatures at once under ZIP-215. Add entries,
// then call Verify; it reports per entry which signatures are valid.
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
	b.bv.AddWithOptions(pubKey, msg, sig, zip215)
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

// PrivateKey is an ed25519 private key (seed followed by public key).
type PrivateKey = ed25519.PrivateKey

// PublicKey is an ed25519 public key.
type PublicKey = ed25519.PublicKey

// PublicOf returns the public key of a private key.
func PublicOf(priv PrivateKey) PublicKey {
	return PublicKey(priv[ed25519.SeedSize:])
}
