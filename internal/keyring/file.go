package keyring

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// fileVersion is the version of the key file format.
const fileVersion = 1

// maxFileSize bounds the size of a key file the decoder reads.
const maxFileSize = 16 << 10

// Encryption values recorded in a key file.
const (
	encNone      = "none"
	encEncrypted = KDF + "-" + Cipher
)

// aadFile is the purpose bound into the ciphertext of a key file.
const aadFile = "depin/keyring/file/v1"

// keyFile is the on-disk JSON form of one key.
type keyFile struct {
	Version    int        `json:"version"`
	Name       string     `json:"name"`
	Address    string     `json:"address"`
	PubKey     string     `json:"pub_key"`
	Encryption string     `json:"encryption"`
	Seed       string     `json:"seed,omitempty"` // hex, only when encryption is "none"
	KDF        *kdfRecord `json:"kdf,omitempty"`
	Nonce      []byte     `json:"nonce,omitempty"`
	Ciphertext []byte     `json:"ciphertext,omitempty"`
}

// kdfRecord is the KDF section of an encrypted key file.
type kdfRecord struct {
	Name string `json:"name"`
	KDFParams
	Salt []byte `json:"salt"`
}

// entry is a decoded, validated key file.
type entry struct {
	info   Info
	seed   []byte  // set when unencrypted
	sealed *sealed // set when encrypted
}

// encrypted reports whether the entry's seed is encrypted.
func (e *entry) encrypted() bool { return e.sealed != nil }

// encodeKeyFile renders an entry as its key file.
func encodeKeyFile(e *entry) ([]byte, error) {
	f := keyFile{
		Version: fileVersion,
		Name:    e.info.Name,
		Address: e.info.Address.String(),
		PubKey:  hex.EncodeToString(e.info.PubKey),
	}
	if e.sealed != nil {
		f.Encryption = encEncrypted
		f.KDF = &kdfRecord{Name: KDF, KDFParams: e.sealed.Params, Salt: e.sealed.Salt}
		f.Nonce = e.sealed.Nonce
		f.Ciphertext = e.sealed.Ciphertext
	} else {
		f.Encryption = encNone
		f.Seed = hex.EncodeToString(e.seed)
	}
	b, err := json.MarshalIndent(&f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// decodeKeyFile parses and validates a key file. Every failure wraps
// ErrCorrupt: the file does not hold a usable key.
func decodeKeyFile(data []byte) (*entry, error) {
	e, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return e, nil
}

func parseKeyFile(data []byte) (*entry, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("file of %d bytes exceeds %d", len(data), maxFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after json")
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("version %d, want %d", f.Version, fileVersion)
	}
	if !ValidName(f.Name) {
		return nil, fmt.Errorf("invalid name %q", f.Name)
	}
	pub, err := hex.DecodeString(f.PubKey)
	if err != nil || len(pub) != sig.PubKeyLen {
		return nil, fmt.Errorf("public key is not %d bytes of hex", sig.PubKeyLen)
	}
	addr := ledger.AddressOf(pub)
	if f.Address != addr.String() {
		return nil, fmt.Errorf("address %q does not match the public key (%s)", f.Address, addr)
	}
	e := &entry{info: Info{Name: f.Name, Address: addr, PubKey: sig.PublicKey(pub)}}
	switch f.Encryption {
	case encNone:
		if f.KDF != nil || f.Nonce != nil || f.Ciphertext != nil {
			return nil, errors.New("unencrypted key with encryption fields")
		}
		seed, err := hex.DecodeString(f.Seed)
		if err != nil || len(seed) != seedLen {
			return nil, fmt.Errorf("seed is not %d bytes of hex", seedLen)
		}
		if err := checkSeed(seed, pub); err != nil {
			return nil, err
		}
		e.seed = seed
	case encEncrypted:
		if f.Seed != "" {
			return nil, errors.New("encrypted key with a clear seed")
		}
		if f.KDF == nil || f.KDF.Name != KDF {
			return nil, fmt.Errorf("kdf missing or not %s", KDF)
		}
		s := &sealed{Params: f.KDF.KDFParams, Salt: f.KDF.Salt, Nonce: f.Nonce, Ciphertext: f.Ciphertext}
		if err := s.validate(); err != nil {
			return nil, err
		}
		e.sealed = s
		e.info.Encrypted = true
	default:
		return nil, fmt.Errorf("encryption %q, want %q or %q", f.Encryption, encNone, encEncrypted)
	}
	return e, nil
}

// checkSeed verifies that seed derives the public key pub.
func checkSeed(seed, pub []byte) error {
	priv := sig.KeyFromSeed(seed)
	if !bytes.Equal(priv[seedLen:], pub) {
		return errors.New("seed does not derive the recorded public key")
	}
	return nil
}
