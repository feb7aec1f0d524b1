package content

import (
	"errors"
	"fmt"
	"io"

	"github.com/depin-network/depin/internal/merkle"
)

// ErrTooFewShards says that fewer than K shards are at hand.
var ErrTooFewShards = errors.New("too few shards")

// ErrRootMismatch says that a shard's bytes do not hash to its root.
var ErrRootMismatch = errors.New("shard does not match its root")

// ErrTagsMismatch says that a sealed file's segments opened under the key
// but their tags are not the ones the manifest (version 3) commits to:
// bytes sealed under the same key that are not the content id's.
var ErrTagsMismatch = errors.New("segment tags do not match the manifest")

// ShardError is a fault of one shard's stream: its bytes do not match its
// root (ErrRootMismatch), or it could not be read.
type ShardError struct {
	Shard int
	Err   error
}

func (e *ShardError) Error() string { return fmt.Sprintf("shard %d: %v", e.Shard, e.Err) }
func (e *ShardError) Unwrap() error { return e.Err }

// ShardLeaves reads shard i of m from r (exactly ShardSize bytes), returns
// its leaf hashes and checks them against the manifest's root.
func ShardLeaves(m *Manifest, i int, r io.Reader) ([]merkle.Hash, error) {
	if i < 0 || i >= m.N {
		return nil, fmt.Errorf("shard %d of %d: %w", i, m.N, ErrMalformed)
	}
	leaves, err := StreamLeaves(m, r)
	if err != nil {
		return nil, fmt.Errorf("shard %d: %w", i, err)
	}
	if root := merkle.Root(leaves); root != m.Roots[i] {
		return nil, fmt.Errorf("shard %d: root %s, want %s: %w", i, root, m.Roots[i], ErrRootMismatch)
	}
	return leaves, nil
}

// StreamLeaves reads one shard of m's layout from r (exactly ShardSize
// bytes, no more) and returns its leaf hashes; m's roots are not used.
func StreamLeaves(m *Manifest, r io.Reader) ([]merkle.Hash, error) {
	leaves := make([]merkle.Hash, 0, m.Leaves())
	buf := make([]byte, m.PieceSize())
	lh := newLeafHasher()
	for s := range m.Segments() {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("segment %d: %w", s, err)
		}
		for off := 0; off < len(buf); off += int(m.LeafSize) {
			leaves = append(leaves, lh.sum(buf[off:off+int(m.LeafSize)]))
		}
	}
	var one [1]byte
	if k, _ := r.Read(one[:]); k > 0 {
		return nil, fmt.Errorf("longer than %d bytes: %w", m.ShardSize(), ErrMalformed)
	}
	return leaves, nil
}

// Decode rebuilds the file from shards (len N, nil where a shard is
// missing; at least K present, each already checked with ShardLeaves) and
// writes it to w. It prefers data shards, which need no reconstruction.
// master is the owner's key when the file is encrypted.
func Decode(m *Manifest, master []byte, shards []io.ReaderAt, w io.Writer) error {
	if len(shards) != m.N {
		return fmt.Errorf("decode: %d shard readers for %d shards", len(shards), m.N)
	}
	streams := make([]io.Reader, m.N)
	for i, s := range shards {
		if s != nil {
			streams[i] = io.NewSectionReader(s, 0, int64(m.ShardSize()))
		}
	}
	if err := runDecoder(m, master, streams, false, w); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// ErrPadding says that a segment's zero padding is not zero: a shard
// that does not match its root.
var ErrPadding = errors.New("segment padding is not zero")

// DecodeStreams rebuilds the file from shard streams (len N, nil where a
// shard is not fetched; the first K present are read, data shards first
// so that no reconstruction is needed when they are all there) and writes
// it to w, hashing, coding and opening segments on every core while the
// shards stream. Every byte read is checked: a plaintext file's shards
// against their roots (a mismatch is a *ShardError naming the shard); a
// sealed file's segments by their AEAD tags under the file key, their
// padding by being zero and, from manifest version 3, the tags as a whole
// against the manifest's tags commitment (ErrTagsMismatch), without
// hashing the pieces again. The commitment stops bytes sealed for another
// file under the same key (a shared or leaked key, the same salt); it is
// not a hash of the bytes, and a key holder who forges segments with the
// same tags (GCM and Poly1305 tags are not collision resistant to whoever
// has the key) still gets past it: only the roots (ShardLeaves, Decode's
// careful path) bind the bytes themselves. A version 1 or 2 sealed file
// is checked against the key only. A sealed segment that does not open is not pinned
// on one shard: check the shards against their roots (ShardLeaves) to
// find which. A stream that ends early or runs long is a *ShardError.
// w receives bytes before the last check: write to a temporary and keep
// it only when DecodeStreams returns nil. On failure the streams that are
// io.Closers are closed, so that reads blocked on them return.
func DecodeStreams(m *Manifest, master []byte, shards []io.Reader, w io.Writer) error {
	if len(shards) != m.N {
		return fmt.Errorf("decode: %d shard streams for %d shards", len(shards), m.N)
	}
	if err := runDecoder(m, master, shards, m.Cipher == CipherNone, w); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// Rebuild recomputes missing shards (repair): given at least K checked
// shards it writes each shard i with out[i] != nil. A rebuilt shard hashes
// to its root in the manifest, or the manifest is not the file's.
func Rebuild(m *Manifest, shards []io.ReaderAt, out []io.Writer) error {
	if len(shards) != m.N || len(out) != m.N {
		return fmt.Errorf("rebuild: want %d readers and writers", m.N)
	}
	var use []int
	for i, s := range shards {
		if s != nil && len(use) < m.K {
			use = append(use, i)
		}
	}
	if len(use) < m.K {
		return fmt.Errorf("rebuild: %d of %d shards needed: %w", len(use), m.K, ErrTooFewShards)
	}
	rs, err := newRS(m)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	piece := m.PieceSize()
	pieces := make([][]byte, m.N)
	bufs := make([][]byte, m.N)
	for _, i := range use {
		bufs[i] = make([]byte, piece)
	}
	for s := range m.Segments() {
		for i := range pieces {
			pieces[i] = nil
		}
		for _, i := range use {
			if _, err := shards[i].ReadAt(bufs[i], int64(s*piece)); err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("rebuild: shard %d segment %d: %w", i, s, err)
			}
			pieces[i] = bufs[i]
		}
		if err := rs.Reconstruct(pieces); err != nil {
			return fmt.Errorf("rebuild: segment %d: %w", s, err)
		}
		for i, w := range out {
			if w == nil {
				continue
			}
			if _, err := w.Write(pieces[i]); err != nil {
				return fmt.Errorf("rebuild: write shard %d: %w", i, err)
			}
		}
	}
	return nil
}
