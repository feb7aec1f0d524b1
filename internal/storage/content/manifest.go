package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/storage"
)

// Cipher names how segments are sealed.
type Cipher uint8

// Ciphers.
const (
	// CipherNone stores segments in the clear.
	CipherNone Cipher = 0
	// CipherXChaCha20Poly1305 seals each segment with XChaCha20-Poly1305
	// (manifest version 1; still decoded, no longer written).
	CipherXChaCha20Poly1305 Cipher = 1
	// CipherAES256GCM seals each segment with AES-256-GCM (manifest
	// version 2 and later): measured faster than XChaCha20-Poly1305 on
	// CPUs with AES and carry-less multiply instructions (BENCHMARKS.md).
	CipherAES256GCM Cipher = 2
)

// Overhead is what sealing adds to a segment (the AEAD tag).
func (c Cipher) Overhead() uint64 {
	if c != CipherNone {
		return 16
	}
	return 0
}

// DefaultCipher seals new uploads.
const DefaultCipher = CipherAES256GCM

// Limits of a layout.
const (
	MinLeafSize    = 64
	MaxLeafSize    = 64 << 10
	MaxSegmentSize = 64 << 20
	MaxShards      = 255
	MaxFileSize    = 1 << 50
	SaltLen        = 32
)

// Defaults of a layout.
const (
	DefaultSegmentSize = 4 << 20
	DefaultLeafSize    = 1 << 10
)

// manifestMagic starts every encoded manifest.
const manifestMagic = "DSTM"

// Manifest versions. Version 1 knows CipherNone and
// CipherXChaCha20Poly1305; version 2 adds CipherAES256GCM; version 3 adds
// the tags commitment (Manifest.Tags) after the roots and is what Encode
// writes. All three decode, so files put with older versions still come
// back.
const (
	ManifestV1 = 1
	ManifestV2 = 2
	ManifestV3 = 3
	// ManifestVersion is the version new manifests are written with.
	ManifestVersion = ManifestV3
)

// headerLen is the fixed part of an encoded manifest before the roots:
// magic, version, cipher, k, n, leaf size, segment size, file size, salt.
const headerLen = 4 + 1 + 1 + 1 + 1 + 4 + 4 + 8 + SaltLen

// ErrMalformed is wrapped by every decoding error of this package.
var ErrMalformed = errors.New("malformed")

// Manifest is the layout of one stored file.
type Manifest struct {
	// Version of the encoding (ManifestV1 to ManifestV3); it is part of
	// the CID, so a manifest re-encodes with the version it was read with.
	Version     uint8
	Cipher      Cipher
	K, N        int
	LeafSize    uint32
	SegmentSize uint32
	Size        uint64
	Salt        [SaltLen]byte
	Roots       []merkle.Hash // one per shard
	// Tags (version 3 and later) is the SHA-256 of every sealed segment's
	// AEAD tag in segment order (zero for a plaintext file): it binds a
	// sealed file's tags, and so its plaintext, to the content id, which
	// the streamed decoder checks (DecodeStreams) instead of hashing the
	// pieces against the roots. Without it, whoever holds the key could
	// reseal other bytes that open under it.
	Tags [32]byte
}

// Segments is the number of segments (at least one).
func (m *Manifest) Segments() uint64 {
	if m.Size == 0 {
		return 1
	}
	return (m.Size + uint64(m.SegmentSize) - 1) / uint64(m.SegmentSize)
}

// PieceSize is the bytes of one segment in one shard: the sealed segment
// split K ways, rounded up to whole leaves.
func (m *Manifest) PieceSize() uint64 {
	sealed := uint64(m.SegmentSize) + m.Cipher.Overhead()
	per := (sealed + uint64(m.K) - 1) / uint64(m.K)
	l := uint64(m.LeafSize)
	return (per + l - 1) / l * l
}

// ShardSize is the bytes of one shard.
func (m *Manifest) ShardSize() uint64 { return m.Segments() * m.PieceSize() }

// Leaves is the number of leaves of one shard.
func (m *Manifest) Leaves() uint64 { return m.ShardSize() / uint64(m.LeafSize) }

// segmentLen is the plaintext length of segment s.
func (m *Manifest) segmentLen(s uint64) uint64 {
	start := s * uint64(m.SegmentSize)
	return min(uint64(m.SegmentSize), m.Size-start)
}

// Check validates the layout's numbers (not the roots' values).
func (m *Manifest) Check() error {
	switch {
	case m.Version < ManifestV1 || m.Version > ManifestV3:
		return fmt.Errorf("manifest version %d: this build reads versions %d to %d: %w", m.Version, ManifestV1, ManifestV3, ErrMalformed)
	case m.Tags != [32]byte{} && (m.Version < ManifestV3 || m.Cipher == CipherNone):
		return fmt.Errorf("a tags commitment in a version %d manifest of cipher %d: %w", m.Version, m.Cipher, ErrMalformed)
	case m.Cipher > CipherAES256GCM || (m.Version == ManifestV1 && m.Cipher > CipherXChaCha20Poly1305):
		return fmt.Errorf("unknown cipher %d in a version %d manifest: %w", m.Cipher, m.Version, ErrMalformed)
	case m.K < 1 || m.N <= m.K || m.N > MaxShards:
		return fmt.Errorf("redundancy %d/%d: need 1 <= k < n <= %d: %w", m.K, m.N, MaxShards, ErrMalformed)
	case m.LeafSize < MinLeafSize || m.LeafSize > MaxLeafSize || m.LeafSize&(m.LeafSize-1) != 0:
		return fmt.Errorf("leaf size %d: need a power of two in [%d, %d]: %w", m.LeafSize, MinLeafSize, MaxLeafSize, ErrMalformed)
	case m.SegmentSize < m.LeafSize || m.SegmentSize > MaxSegmentSize:
		return fmt.Errorf("segment size %d: need [%d, %d]: %w", m.SegmentSize, m.LeafSize, MaxSegmentSize, ErrMalformed)
	case m.Size > MaxFileSize:
		return fmt.Errorf("file size %d above %d: %w", m.Size, uint64(MaxFileSize), ErrMalformed)
	case len(m.Roots) != m.N:
		return fmt.Errorf("%d roots for %d shards: %w", len(m.Roots), m.N, ErrMalformed)
	case m.Cipher == CipherNone && m.Salt != [SaltLen]byte{}:
		return fmt.Errorf("a salt without a cipher: %w", ErrMalformed)
	}
	return nil
}

// Encode is the manifest's canonical encoding.
func (m *Manifest) Encode() []byte {
	b := make([]byte, 0, headerLen+len(m.Roots)*merkle.HashLen)
	b = append(b, manifestMagic...)
	b = append(b, m.Version, byte(m.Cipher), byte(m.K), byte(m.N))
	b = binary.BigEndian.AppendUint32(b, m.LeafSize)
	b = binary.BigEndian.AppendUint32(b, m.SegmentSize)
	b = binary.BigEndian.AppendUint64(b, m.Size)
	b = append(b, m.Salt[:]...)
	for _, r := range m.Roots {
		b = append(b, r[:]...)
	}
	if m.Version >= ManifestV3 {
		b = append(b, m.Tags[:]...)
	}
	return b
}

// DecodeManifest decodes and checks a manifest. Only the canonical
// encoding decodes.
func DecodeManifest(b []byte) (*Manifest, error) {
	if len(b) < headerLen || string(b[:4]) != manifestMagic {
		return nil, fmt.Errorf("manifest: bad header: %w", ErrMalformed)
	}
	m := &Manifest{Version: b[4], Cipher: Cipher(b[5]), K: int(b[6]), N: int(b[7]),
		LeafSize: binary.BigEndian.Uint32(b[8:]), SegmentSize: binary.BigEndian.Uint32(b[12:]),
		Size: binary.BigEndian.Uint64(b[16:])}
	copy(m.Salt[:], b[24:24+SaltLen])
	rest := b[headerLen:]
	if m.Version >= ManifestV3 {
		if len(rest) < len(m.Tags) {
			return nil, fmt.Errorf("manifest: no tags commitment: %w", ErrMalformed)
		}
		copy(m.Tags[:], rest[len(rest)-len(m.Tags):])
		rest = rest[:len(rest)-len(m.Tags)]
	}
	if len(rest) != m.N*merkle.HashLen {
		return nil, fmt.Errorf("manifest: %d root bytes for %d shards: %w", len(rest), m.N, ErrMalformed)
	}
	m.Roots = make([]merkle.Hash, m.N)
	for i := range m.Roots {
		copy(m.Roots[i][:], rest[i*merkle.HashLen:])
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return m, nil
}

// CID is a content id: the SHA-256 of a manifest's canonical encoding.
type CID [32]byte

// CID is the manifest's content id.
func (m *Manifest) CID() CID { return CID(sha256.Sum256(m.Encode())) }

// String renders the CID as "dst1" and lower-case base32.
func (c CID) String() string { return storage.FormatCID(c) }

// ParseCID reads a CID's text form.
func ParseCID(s string) (CID, error) {
	c, err := storage.ParseCID(s)
	if err != nil {
		return CID{}, fmt.Errorf("%w: %w", err, ErrMalformed)
	}
	return CID(c), nil
}

// MatchesCID decodes a manifest and checks that it is the one cid names.
func MatchesCID(b []byte, cid CID) (*Manifest, error) {
	if CID(sha256.Sum256(b)) != cid {
		return nil, fmt.Errorf("manifest does not hash to %s", cid)
	}
	m, err := DecodeManifest(b)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(m.Encode(), b) {
		return nil, fmt.Errorf("manifest: not canonical: %w", ErrMalformed)
	}
	return m, nil
}

// SameLayout reports whether a and b lay a file out the same way: every
// field but the roots and the tags commitment (the salt included).
func SameLayout(a, b *Manifest) bool {
	return a.Version == b.Version && a.Cipher == b.Cipher && a.K == b.K && a.N == b.N && a.LeafSize == b.LeafSize &&
		a.SegmentSize == b.SegmentSize && a.Size == b.Size && a.Salt == b.Salt && len(a.Roots) == len(b.Roots)
}

// Skeleton is the manifest's layout with zero roots and tags commitment:
// what a single-pass upload announces before they are known.
func (m *Manifest) Skeleton() *Manifest {
	s := *m
	s.Roots = make([]merkle.Hash, m.N)
	s.Tags = [32]byte{}
	return &s
}
