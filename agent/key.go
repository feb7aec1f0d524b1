package agent

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// ErrBadKeyFile is wrapped by every error about a key file's content.
var ErrBadKeyFile = errors.New("bad key file")

// maxKeyFileSize bounds the key file LoadKey reads.
const maxKeyFileSize = 16 << 10

// seedLen is the length of an ed25519 seed.
const seedLen = 32

// Key is a device's ed25519 key. Its signatures are standard ed25519
// signatures, which verify under the ZIP-215 rules ingest and the ledger
// apply (internal/sig).
type Key struct {
	priv sig.PrivateKey
}

// GenerateKey makes a new key from crypto/rand.
func GenerateKey() (*Key, error) {
	_, priv, err := sig.GenerateKey(nil)
	if err != nil {
		return nil, fmt.Errorf("agent: generate key: %w", err)
	}
	return &Key{priv: priv}, nil
}

// KeyFromSeed derives a key from a 32-byte seed.
func KeyFromSeed(seed []byte) (*Key, error) {
	if len(seed) != seedLen {
		return nil, fmt.Errorf("agent: key from seed: seed is %d bytes, want %d", len(seed), seedLen)
	}
	return &Key{priv: sig.KeyFromSeed(seed)}, nil
}

// PubKey returns the 32-byte public key (a copy).
func (k *Key) PubKey() []byte { return bytes.Clone(sig.PublicOf(k.priv)) }

// Address is a device's address on the ledger: derived from its public
// key, shown in bech32 ("pin1...").
type Address [20]byte

// String returns the bech32 form of a.
func (a Address) String() string { return ledger.Address(a).String() }

// Address is the device's ledger address.
func (k *Key) Address() Address { return Address(ledger.AddressOf(sig.PublicOf(k.priv))) }

// Seed returns the 32-byte seed (a copy): the secret.
func (k *Key) Seed() []byte { return bytes.Clone(k.priv.Seed()) }

// Sign signs sig.SignBytes(domain, msg).
func (k *Key) Sign(domain string, msg []byte) []byte { return sig.Sign(k.priv, domain, msg) }

// keyFile is the on-disk JSON form of a device key. It is the unencrypted
// form of internal/keyring's key file (encryption "none"), so a key made by
// `depin keys add NAME --keyring-backend test` is a valid device key file.
type keyFile struct {
	Version    int    `json:"version"`
	Name       string `json:"name"`
	Address    string `json:"address"`
	PubKey     string `json:"pub_key"`
	Encryption string `json:"encryption"`
	Seed       string `json:"seed"`
}

const (
	keyFileVersion = 1
	encryptionNone = "none"
)

// MarshalKeyFile renders k as a key file named name.
func MarshalKeyFile(k *Key, name string) ([]byte, error) {
	b, err := json.MarshalIndent(keyFile{
		Version:    keyFileVersion,
		Name:       name,
		Address:    k.Address().String(),
		PubKey:     hex.EncodeToString(k.PubKey()),
		Encryption: encryptionNone,
		Seed:       hex.EncodeToString(k.Seed()),
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("agent: marshal key file: %w", err)
	}
	return append(b, '\n'), nil
}

// UnmarshalKeyFile parses a key file and checks that its public key and
// address belong to its seed.
func UnmarshalKeyFile(b []byte) (*Key, error) {
	if len(b) > maxKeyFileSize {
		return nil, fmt.Errorf("agent: parse key file: %w: %d bytes, limit %d", ErrBadKeyFile, len(b), maxKeyFileSize)
	}
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("agent: parse key file: %w: %v", ErrBadKeyFile, err)
	}
	if f.Version != keyFileVersion {
		return nil, fmt.Errorf("agent: parse key file: %w: version %d, want %d", ErrBadKeyFile, f.Version, keyFileVersion)
	}
	if f.Encryption != encryptionNone {
		return nil, fmt.Errorf("agent: parse key file: %w: encryption %q: a device key file must be unencrypted (depin keys add --keyring-backend test, or depin agent keygen)", ErrBadKeyFile, f.Encryption)
	}
	seed, err := hex.DecodeString(f.Seed)
	if err != nil || len(seed) != seedLen {
		return nil, fmt.Errorf("agent: parse key file: %w: seed must be %d hex-encoded bytes", ErrBadKeyFile, seedLen)
	}
	k := &Key{priv: sig.KeyFromSeed(seed)}
	if f.PubKey != "" && f.PubKey != hex.EncodeToString(k.PubKey()) {
		return nil, fmt.Errorf("agent: parse key file: %w: pub_key does not belong to the seed", ErrBadKeyFile)
	}
	if f.Address != "" && f.Address != k.Address().String() {
		return nil, fmt.Errorf("agent: parse key file: %w: address does not belong to the seed", ErrBadKeyFile)
	}
	return k, nil
}

// LoadKey reads a key file. It refuses a file that others can read or write
// (mode bits 0077), since the file holds the device's secret.
func LoadKey(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("agent: load key: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("agent: load key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("agent: load key: %s has mode %04o, want 0600: %w", path, st.Mode().Perm(), ErrBadKeyFile)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("agent: load key: %w", err)
	}
	k, err := UnmarshalKeyFile(b)
	if err != nil {
		return nil, fmt.Errorf("agent: load key %s: %w", path, err)
	}
	return k, nil
}

// SaveKey writes k to a new key file with mode 0600, durably (temporary
// file, fsync, rename, fsync of the directory). It never replaces an
// existing file.
func SaveKey(path, name string, k *Key) error {
	b, err := MarshalKeyFile(k, name)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("agent: save key: %s: %w", path, os.ErrExist)
	}
	if err := durable.WriteNew(path, b, 0o600); err != nil {
		return fmt.Errorf("agent: save key: %w", err)
	}
	return nil
}
