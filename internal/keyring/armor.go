package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// ArmorType is the PEM block type of an exported key.
const ArmorType = "DEPIN ENCRYPTED PRIVATE KEY"

// aadExport is the purpose bound into the ciphertext of an export.
const aadExport = "depin/keyring/export/v1"

// maxArmorSize bounds the size of an armored key the decoder reads.
const maxArmorSize = 16 << 10

// PEM headers of an exported key; all are required, no others are allowed.
const (
	hdrVersion   = "Version"
	hdrKDF       = "Kdf"
	hdrKDFParams = "Kdf-Params"
	hdrSalt      = "Salt"
	hdrCipher    = "Cipher"
	hdrNonce     = "Nonce"
	hdrPubKey    = "Pub-Key"
	hdrAddress   = "Address"
)

// armored is a decoded export: a sealed seed and the public key it derives.
type armored struct {
	pub    []byte
	sealed *sealed
}

// Export returns the key named name, armored and encrypted with an export
// passphrase taken from pass (asked with confirmation; at least
// MinPassphraseLen characters). Reading an encrypted key asks the keyring
// passphrase first.
func (k *Keyring) Export(name string, pass PassphraseFunc) ([]byte, error) {
	e, err := k.load(name)
	if err != nil {
		return nil, fmt.Errorf("keyring: export: %w", err)
	}
	seed, err := k.openEntry(e)
	if err != nil {
		return nil, fmt.Errorf("keyring: export %q: %w", name, err)
	}
	if pass == nil {
		return nil, fmt.Errorf("keyring: export %q: %w", name, ErrNoPassphrase)
	}
	p, err := pass("Export passphrase", true)
	if err != nil {
		return nil, fmt.Errorf("keyring: export %q: %w", name, err)
	}
	if len(p) < MinPassphraseLen {
		return nil, fmt.Errorf("keyring: export %q: %w: need at least %d characters", name, ErrWeakPassphrase, MinPassphraseLen)
	}
	s, err := seal(seed, p, additionalData(aadExport, e.info.PubKey), k.params)
	if err != nil {
		return nil, fmt.Errorf("keyring: export %q: encrypt: %w", name, err)
	}
	return encodeArmor(&armored{pub: e.info.PubKey, sealed: s}), nil
}

// Import stores an armored key (from Export) under name, decrypting it with
// the export passphrase from pass and storing it as the backend does.
func (k *Keyring) Import(name string, data []byte, pass PassphraseFunc) (Info, error) {
	if err := k.checkNew(name); err != nil {
		return Info{}, fmt.Errorf("keyring: import: %w", err)
	}
	a, err := decodeArmor(data)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: import %q: %w", name, err)
	}
	if pass == nil {
		return Info{}, fmt.Errorf("keyring: import %q: %w", name, ErrNoPassphrase)
	}
	p, err := pass("Passphrase of the exported key", false)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: import %q: %w", name, err)
	}
	seed, err := a.sealed.open(p, additionalData(aadExport, a.pub))
	if err != nil {
		return Info{}, fmt.Errorf("keyring: import %q: %w", name, err)
	}
	if err := checkSeed(seed, a.pub); err != nil {
		return Info{}, fmt.Errorf("keyring: import %q: %w: %w", name, ErrCorrupt, err)
	}
	info, err := k.store(name, seed)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: import %q: %w", name, err)
	}
	return info, nil
}

// encodeArmor renders an export as a PEM block.
func encodeArmor(a *armored) []byte {
	p := a.sealed.Params
	return pem.EncodeToMemory(&pem.Block{
		Type: ArmorType,
		Headers: map[string]string{
			hdrVersion:   strconv.Itoa(fileVersion),
			hdrKDF:       KDF,
			hdrKDFParams: formatKDFParams(p),
			hdrSalt:      base64.StdEncoding.EncodeToString(a.sealed.Salt),
			hdrCipher:    Cipher,
			hdrNonce:     base64.StdEncoding.EncodeToString(a.sealed.Nonce),
			hdrPubKey:    hex.EncodeToString(a.pub),
			hdrAddress:   ledger.AddressOf(a.pub).String(),
		},
		Bytes: a.sealed.Ciphertext,
	})
}

// decodeArmor parses and validates an armored export. Every failure wraps
// ErrCorrupt.
func decodeArmor(data []byte) (*armored, error) {
	a, err := parseArmor(data)
	if err != nil {
		return nil, fmt.Errorf("%w: armored key: %w", ErrCorrupt, err)
	}
	return a, nil
}

func parseArmor(data []byte) (*armored, error) {
	if len(data) > maxArmorSize {
		return nil, fmt.Errorf("%d bytes exceeds %d", len(data), maxArmorSize)
	}
	b, rest := pem.Decode(data)
	if b == nil {
		return nil, errors.New("no PEM block")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("trailing data after the PEM block")
	}
	if b.Type != ArmorType {
		return nil, fmt.Errorf("block type %q, want %q", b.Type, ArmorType)
	}
	want := []string{hdrAddress, hdrCipher, hdrKDF, hdrKDFParams, hdrNonce, hdrPubKey, hdrSalt, hdrVersion}
	got := make([]string, 0, len(b.Headers))
	for h := range b.Headers {
		got = append(got, h)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return nil, fmt.Errorf("headers %v, want %v", got, want)
	}
	h := b.Headers
	if h[hdrVersion] != strconv.Itoa(fileVersion) {
		return nil, fmt.Errorf("version %q, want %d", h[hdrVersion], fileVersion)
	}
	if h[hdrKDF] != KDF || h[hdrCipher] != Cipher {
		return nil, fmt.Errorf("kdf %q and cipher %q, want %q and %q", h[hdrKDF], h[hdrCipher], KDF, Cipher)
	}
	params, err := parseKDFParams(h[hdrKDFParams])
	if err != nil {
		return nil, err
	}
	salt, err := base64.StdEncoding.DecodeString(h[hdrSalt])
	if err != nil {
		return nil, fmt.Errorf("salt: %w", err)
	}
	nonce, err := base64.StdEncoding.DecodeString(h[hdrNonce])
	if err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	pub, err := hex.DecodeString(h[hdrPubKey])
	if err != nil || len(pub) != sig.PubKeyLen {
		return nil, fmt.Errorf("public key is not %d bytes of hex", sig.PubKeyLen)
	}
	if addr := ledger.AddressOf(pub).String(); h[hdrAddress] != addr {
		return nil, fmt.Errorf("address %q does not match the public key (%s)", h[hdrAddress], addr)
	}
	s := &sealed{Params: params, Salt: salt, Nonce: nonce, Ciphertext: b.Bytes}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &armored{pub: pub, sealed: s}, nil
}

// formatKDFParams renders argon2id parameters as "t=3,m=65536,p=4".
func formatKDFParams(p KDFParams) string {
	return fmt.Sprintf("t=%d,m=%d,p=%d", p.Time, p.MemoryKiB, p.Threads)
}

// parseKDFParams parses the canonical form formatKDFParams writes.
func parseKDFParams(s string) (KDFParams, error) {
	var t, m, p uint64
	if _, err := fmt.Sscanf(s, "t=%d,m=%d,p=%d", &t, &m, &p); err != nil {
		return KDFParams{}, fmt.Errorf("kdf params %q: %w", s, err)
	}
	if t > maxTime || m > maxMemoryKiB || p > maxThreads {
		return KDFParams{}, fmt.Errorf("kdf params %q out of bounds", s)
	}
	kp := KDFParams{Time: uint32(t), MemoryKiB: uint32(m), Threads: uint8(p)}
	if formatKDFParams(kp) != s {
		return KDFParams{}, fmt.Errorf("kdf params %q not in canonical form", s)
	}
	if err := kp.validate(); err != nil {
		return KDFParams{}, err
	}
	return kp, nil
}
