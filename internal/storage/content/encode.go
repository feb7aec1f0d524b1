package content

import (
	"errors"
	"fmt"
	"io"

	"github.com/depin-network/depin/internal/merkle"
)

// Options choose the layout of an upload.
type Options struct {
	// K of N shards rebuild the file.
	K, N int
	// SegmentSize and LeafSize in bytes; 0 takes the defaults.
	SegmentSize, LeafSize uint32
	// Encrypt seals segments (DefaultCipher) with a key derived from Key
	// (the owner's 32-byte master key) and a salt read from Rand.
	Encrypt bool
	Key     []byte
	Rand    io.Reader
}

// newManifest fills a manifest's layout from the options (the roots
// zero), drawing the salt when encrypting.
func newManifest(size uint64, opt Options) (*Manifest, error) {
	m := &Manifest{Version: ManifestVersion, K: opt.K, N: opt.N, LeafSize: opt.LeafSize, SegmentSize: opt.SegmentSize,
		Size: size, Roots: make([]merkle.Hash, max(opt.N, 0))}
	if m.LeafSize == 0 {
		m.LeafSize = DefaultLeafSize
	}
	if m.SegmentSize == 0 {
		m.SegmentSize = DefaultSegmentSize
	}
	if opt.Encrypt {
		m.Cipher = DefaultCipher
		if opt.Rand == nil {
			return nil, errors.New("encryption needs a random source for the salt")
		}
		if _, err := io.ReadFull(opt.Rand, m.Salt[:]); err != nil {
			return nil, fmt.Errorf("salt: %w", err)
		}
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return m, nil
}

// Encode reads exactly size bytes from r, lays them out as the options say
// and writes shard i to shards[i] (len(shards) must be N). It returns the
// manifest, whose CID names the file. Segments flow through a bounded
// pipeline (sealed, coded and hashed on every core, written by one
// goroutine per shard), so a slow writer slows the upload but memory stays
// at a few segments.
func Encode(r io.Reader, size uint64, opt Options, shards []io.Writer) (*Manifest, error) {
	if len(shards) != opt.N {
		return nil, fmt.Errorf("encode: %d shard writers for %d shards", len(shards), opt.N)
	}
	m, err := newManifest(size, opt)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if err := runEncoder(r, m, opt.Key, true, shards); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return m, nil
}

// Layout is the first pass of a streamed upload: it reads exactly size
// bytes from r and computes the manifest (every shard's root) without
// writing any shard. WriteShards, given the same bytes, then produces
// shards that hash to those roots.
func Layout(r io.Reader, size uint64, opt Options) (*Manifest, error) {
	m, err := newManifest(size, opt)
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	if err := runEncoder(r, m, opt.Key, true, nil); err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	return m, nil
}

// WriteShards is the second pass of a streamed upload: it reads exactly
// m.Size bytes from r, lays them out under m (same salt, same key) and
// writes shard i to shards[i] (len N; nil skips a shard) without hashing.
// If r yields other bytes than it did for Layout the shards do not match
// m's roots, which every provider checks.
func WriteShards(r io.Reader, m *Manifest, master []byte, shards []io.Writer) error {
	if len(shards) != m.N {
		return fmt.Errorf("write shards: %d shard writers for %d shards", len(shards), m.N)
	}
	if err := m.Check(); err != nil {
		return fmt.Errorf("write shards: %w", err)
	}
	if err := runEncoder(r, m, master, false, shards); err != nil {
		return fmt.Errorf("write shards: %w", err)
	}
	return nil
}

// appendLeaves appends the leaf hashes of b (a whole number of leaves).
func appendLeaves(dst []merkle.Hash, b []byte, leafSize uint32) []merkle.Hash {
	h := newLeafHasher()
	for off := 0; off < len(b); off += int(leafSize) {
		dst = append(dst, h.sum(b[off:off+int(leafSize)]))
	}
	return dst
}
