package content

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeyLen is the length of an owner's master key and of a file key.
const KeyLen = 32

// File key derivation labels, one per cipher so that a key never serves
// two ciphers.
const (
	fileKeyInfoXChaCha = "depin/storage/file/v1"
	fileKeyInfoAESGCM  = "depin/storage/file/aes-256-gcm/v2"
)

// segmentAD prefixes every segment's associated data.
const segmentAD = "depin/storage/segment/v1"

// fileAEAD derives the file key from the owner's master key and the
// manifest's salt (HKDF-SHA256) and returns the AEAD of the manifest's
// cipher (nil for CipherNone).
func fileAEAD(m *Manifest, master []byte) (cipher.AEAD, error) {
	if m.Cipher == CipherNone {
		return nil, nil
	}
	if len(master) != KeyLen {
		return nil, fmt.Errorf("master key of %d bytes, want %d", len(master), KeyLen)
	}
	info := fileKeyInfoXChaCha
	if m.Cipher == CipherAES256GCM {
		info = fileKeyInfoAESGCM
	}
	key, err := hkdf.Key(sha256.New, master, m.Salt[:], info, KeyLen)
	if err != nil {
		return nil, fmt.Errorf("derive file key: %w", err)
	}
	switch m.Cipher {
	case CipherXChaCha20Poly1305:
		return chacha20poly1305.NewX(key)
	case CipherAES256GCM:
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(b)
	}
	return nil, fmt.Errorf("unknown cipher %d: %w", m.Cipher, ErrMalformed)
}

// segmentNonce is the nonce of segment s (the AEAD's nonce size, the index
// big-endian in its last 8 bytes): unique under a key used for one file
// only.
func segmentNonce(a cipher.AEAD, s uint64) []byte {
	n := make([]byte, a.NonceSize())
	binary.BigEndian.PutUint64(n[len(n)-8:], s)
	return n
}

// segmentAssoc binds a sealed segment to its file size, segment size and
// index: segments cannot be reordered, truncated or swapped between files.
func (m *Manifest) segmentAssoc(s uint64) []byte {
	b := make([]byte, 0, len(segmentAD)+20)
	b = append(b, segmentAD...)
	b = binary.BigEndian.AppendUint64(b, m.Size)
	b = binary.BigEndian.AppendUint32(b, m.SegmentSize)
	return binary.BigEndian.AppendUint64(b, s)
}
