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

// Plan lays out a file of size bytes as the options say, drawing the salt
// when encrypting: the manifest with zero roots (its Skeleton), which
// fixes the shard size before a byte is encoded. EncodeTo fills the roots.
func Plan(size uint64, opt Options) (*Manifest, error) {
	m, err := newManifest(size, opt)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return m, nil
}

// EncodeTo is the single pass of a streamed upload: it reads exactly
// m.Size bytes from r, lays them out under m (Plan's manifest), writes
// shard i to shards[i] (len N; nil skips a shard) and sets m.Roots. The
// roots are known only when it returns, after the last shard byte is
// written: an upload that needs them (to name the content id) sends them
// after the shard, as an HTTP trailer does.
func EncodeTo(r io.Reader, m *Manifest, master []byte, shards []io.Writer) error {
	if len(shards) != m.N {
		return fmt.Errorf("encode: %d shard writers for %d shards", len(shards), m.N)
	}
	if err := m.Check(); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if err := runEncoder(r, m, master, true, shards); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return nil
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
