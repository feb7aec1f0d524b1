package keyring

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// KDF names the key derivation function recorded in key files and exports.
const KDF = "argon2id"

// Cipher names the AEAD recorded in key files and exports.
const Cipher = "chacha20poly1305"

// seedLen is the length of an ed25519 seed, the secret a key file holds.
const seedLen = 32

// saltLen is the length of the random salt drawn for every encryption.
const saltLen = 16

// Bounds on KDF parameters, for keys written and for files read, so that a
// hostile or damaged file cannot make the keyring allocate or compute
// without limit (issue 8 item 8: a key file could ask for 4 GiB). The
// memory bound is 4× the default (RFC 9106 §4's second option, 64 MiB),
// and the work, passes × memory, at most 16 default-memory passes: a
// derivation never needs more than 256 MiB and a few seconds.
const (
	minMemoryKiB = 8
	maxMemoryKiB = 256 << 10 // 256 MiB
	maxTime      = 16
	maxThreads   = 16
	maxWorkKiB   = 16 * 64 << 10 // passes × memory, in KiB-passes
	minSaltLen   = 8
	maxSaltLen   = 64
)

// KDFParams are the argon2id parameters used to derive an encryption key
// from a passphrase.
type KDFParams struct {
	Time      uint32 `json:"time"`       // passes over memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`    // lanes
}

// DefaultKDFParams returns argon2id t=3, m=64 MiB, p=4: the second
// recommended option of RFC 9106 §4 ("Argon2 Memory-Hard Function for
// Password Hashing and Proof-of-Work Applications"), for machines that
// cannot spare 2 GiB per derivation.
func DefaultKDFParams() KDFParams {
	return KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}
}

// validate checks the parameters against the bounds the decoder accepts.
func (p KDFParams) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("kdf time %d outside [1, %d]", p.Time, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("kdf threads %d outside [1, %d]", p.Threads, maxThreads)
	case p.MemoryKiB < minMemoryKiB || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("kdf memory %d KiB outside [%d, %d]", p.MemoryKiB, minMemoryKiB, maxMemoryKiB)
	case p.MemoryKiB < 8*uint32(p.Threads):
		return fmt.Errorf("kdf memory %d KiB below 8 KiB per thread (%d threads)", p.MemoryKiB, p.Threads)
	case uint64(p.Time)*uint64(p.MemoryKiB) > maxWorkKiB:
		return fmt.Errorf("kdf work %d passes × %d KiB above %d KiB-passes", p.Time, p.MemoryKiB, maxWorkKiB)
	}
	return nil
}

// sealed is an encrypted seed with everything needed to open it but the
// passphrase.
type sealed struct {
	Params     KDFParams
	Salt       []byte
	Nonce      []byte
	Ciphertext []byte
}

// validate checks the shape of a sealed seed read from outside.
func (s *sealed) validate() error {
	if err := s.Params.validate(); err != nil {
		return err
	}
	if len(s.Salt) < minSaltLen || len(s.Salt) > maxSaltLen {
		return fmt.Errorf("salt of %d bytes outside [%d, %d]", len(s.Salt), minSaltLen, maxSaltLen)
	}
	if len(s.Nonce) != chacha20poly1305.NonceSize {
		return fmt.Errorf("nonce of %d bytes, want %d", len(s.Nonce), chacha20poly1305.NonceSize)
	}
	if want := seedLen + chacha20poly1305.Overhead; len(s.Ciphertext) != want {
		return fmt.Errorf("ciphertext of %d bytes, want %d", len(s.Ciphertext), want)
	}
	return nil
}

// deriveKey runs argon2id over the passphrase and salt.
func deriveKey(pass []byte, salt []byte, p KDFParams) []byte {
	return argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
}

// seal encrypts seed under pass with a fresh salt and nonce; aad binds the
// ciphertext to its context (purpose and public key).
func seal(seed, pass, aad []byte, p KDFParams) (*sealed, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	s := &sealed{Params: p, Salt: make([]byte, saltLen), Nonce: make([]byte, chacha20poly1305.NonceSize)}
	if _, err := rand.Read(s.Salt); err != nil {
		return nil, fmt.Errorf("draw salt: %w", err)
	}
	if _, err := rand.Read(s.Nonce); err != nil {
		return nil, fmt.Errorf("draw nonce: %w", err)
	}
	aead, err := chacha20poly1305.New(deriveKey(pass, s.Salt, p))
	if err != nil {
		return nil, err
	}
	s.Ciphertext = aead.Seal(nil, s.Nonce, seed, aad)
	return s, nil
}

// open decrypts a validated sealed seed. A failed authentication means the
// passphrase is wrong or the ciphertext was altered; the two cannot be told
// apart, so it reports ErrWrongPassphrase.
func (s *sealed) open(pass, aad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.New(deriveKey(pass, s.Salt, s.Params))
	if err != nil {
		return nil, err
	}
	seed, err := aead.Open(nil, s.Nonce, s.Ciphertext, aad)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return seed, nil
}

// additionalData binds a ciphertext to its purpose and public key, so that
// a sealed seed cannot be moved between files or between file and export.
func additionalData(purpose string, pub []byte) []byte {
	b := make([]byte, 0, len(purpose)+1+len(pub))
	b = append(b, purpose...)
	b = append(b, 0)
	return append(b, pub...)
}
