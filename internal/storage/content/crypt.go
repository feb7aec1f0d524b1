package content

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeyLen is the length of an owner's master key and of a file key.
const KeyLen = 32

// fileKeyInfo binds derived keys to their use.
const fileKeyInfo = "depin/storage/file/v1"

// segmentAD prefixes every segment's associated data.
const segmentAD = "depin/storage/segment/v1"

// fileAEAD derives the file key from the owner's master key and the
// manifest's salt (HKDF-SHA256) and returns its XChaCha20-Poly1305 AEAD.
func fileAEAD(master []byte, salt [SaltLen]byte) (cipher.AEAD, error) {
	if len(master) != KeyLen {
		return nil, fmt.Errorf("master key of %d bytes, want %d", len(master), KeyLen)
	}
	key, err := hkdf.Key(sha256.New, master, salt[:], fileKeyInfo, KeyLen)
	if err != nil {
		return nil, fmt.Errorf("derive file key: %w", err)
	}
	return chacha20poly1305.NewX(key)
}

// segmentNonce is the nonce of segment s: unique under a key used for one
// file only.
func segmentNonce(s uint64) []byte {
	n := make([]byte, chacha20poly1305.NonceSizeX)
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
