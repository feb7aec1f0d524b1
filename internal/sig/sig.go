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

// rules are ZIP-215's verification rules (VerifyOptionsZIP_215) with small-
// order public keys refused: the package contract.
var rules = &ed25519.Options{Verify: &ed25519.VerifyOptions{
	AllowSmallOrderA:   false,
	AllowSmallOrderR:   true,
	AllowNonCanonicalA: true,
	AllowNonCanonicalR: true,
}}

// SignBytes returns the bytes a signature covers: the domain, a zero byte and
// the message.
func SignBytes(domain string, msg []byte) []byte {
	return AppendSignBytes(make([]byte, 0, len(domain)+1+len(msg)), domain, msg)
}

// AppendSignBytes appends SignBytes(domain, msg) to b.
func AppendSignBytes(b []byte, domain string, msg []byte) []byte {
	b = append(b, domain...)
	b = append(b, 0)
	return append(b, msg...)
}

// Verify checks an ed25519 signature over SignBytes(domain, msg) under the
// package's rules, the same rules the batch verifiers apply.
func Verify(pubKey []byte, domain string, msg, sig []byte) bool {
	if len(pubKey) != PubKeyLen || len(sig) != SignatureLen {
		return false
	}
	return ed25519.VerifyWithOptions(pubKey, SignBytes(domain, msg), sig, rules)
}

// Sign signs SignBytes(domain, msg) with an ed25519 private key.
func Sign(priv PrivateKey, domain string, msg []byte) []byte {
	return ed25519.Sign(priv, SignBytes(domain, msg))
}

// GenerateKey makes an ed25519 key pair from r (crypto/rand if nil).
func GenerateKey(r io.Reader) (PublicKey, PrivateKey, error) {
	if r == nil {
		r = rand.Reader
	}
	return ed25519.GenerateKey(r)
}

// KeyFromSeed derives an ed25519 private key from a 32-byte seed.
func KeyFromSeed(seed []byte) PrivateKey { return ed25519.NewKeyFromSeed(seed) }

// PrivateKey is an ed25519 private key (seed followed by public key).
type PrivateKey = ed25519.PrivateKey

// PublicKey is an ed25519 public key.
type PublicKey = ed25519.PublicKey

// PublicOf returns the public key of a private key.
func PublicOf(priv PrivateKey) PublicKey {
	return PublicKey(priv[ed25519.SeedSize:])
}
