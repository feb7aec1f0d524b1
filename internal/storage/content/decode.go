package content

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/reedsolomon"

	"github.com/depin-network/depin/internal/merkle"
)

// ErrTooFewShards says that fewer than K shards are at hand.
var ErrTooFewShards = errors.New("too few shards")

// ErrRootMismatch says that a shard's bytes do not hash to its root.
var ErrRootMismatch = errors.New("shard does not match its root")

// ShardLeaves reads shard i of m from r (exactly ShardSize bytes), returns
// its leaf hashes and checks them against the manifest's root.
func ShardLeaves(m *Manifest, i int, r io.Reader) ([]merkle.Hash, error) {
	if i < 0 || i >= m.N {
		return nil, fmt.Errorf("shard %d of %d: %w", i, m.N, ErrMalformed)
	}
	leaves := make([]merkle.Hash, 0, m.Leaves())
	buf := make([]byte, m.PieceSize())
	for s := range m.Segments() {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("shard %d: segment %d: %w", i, s, err)
		}
		leaves = appendLeaves(leaves, buf, m.LeafSize)
	}
	var one [1]byte
	if k, _ := r.Read(one[:]); k > 0 {
		return nil, fmt.Errorf("shard %d: longer than %d bytes: %w", i, m.ShardSize(), ErrMalformed)
	}
	if root := merkle.Root(leaves); root != m.Roots[i] {
		return nil, fmt.Errorf("shard %d: root %s, want %s: %w", i, root, m.Roots[i], ErrRootMismatch)
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
	var use []int
	for i, s := range shards {
		if s != nil && len(use) < m.K {
			use = append(use, i)
		}
	}
	if len(use) < m.K {
		return fmt.Errorf("decode: %d of %d shards needed: %w", len(use), m.K, ErrTooFewShards)
	}
	var aead cipher.AEAD
	if m.Cipher == CipherXChaCha20Poly1305 {
		var err error
		if aead, err = fileAEAD(master, m.Salt); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
	}
	rs, err := reedsolomon.New(m.K, m.N-m.K)
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	piece := m.PieceSize()
	bufs := make([][]byte, m.N)
	for _, i := range use {
		bufs[i] = make([]byte, piece)
	}
	pieces := make([][]byte, m.N)
	joined := make([]byte, uint64(m.K)*piece)
	var plain []byte
	for s := range m.Segments() {
		for i := range pieces {
			pieces[i] = nil
		}
		if err := readPieces(shards, use, bufs, pieces, int64(s*piece)); err != nil {
			return fmt.Errorf("decode: segment %d: %w", s, err)
		}
		if err := rs.ReconstructData(pieces); err != nil {
			return fmt.Errorf("decode: segment %d: %w", s, err)
		}
		for i := range m.K {
			copy(joined[uint64(i)*piece:], pieces[i])
		}
		n := m.segmentLen(s)
		out := joined[:n]
		if aead != nil {
			if plain, err = aead.Open(plain[:0], segmentNonce(s), joined[:n+m.Cipher.Overhead()], m.segmentAssoc(s)); err != nil {
				return fmt.Errorf("decode: segment %d does not open (wrong key or corrupt shards): %w", s, err)
			}
			out = plain
		}
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("decode: write: %w", err)
		}
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
	rs, err := reedsolomon.New(m.K, m.N-m.K)
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

// readPieces reads one segment's piece of each shard in use, in parallel,
// into bufs and points pieces at them.
func readPieces(shards []io.ReaderAt, use []int, bufs, pieces [][]byte, off int64) error {
	errs := make([]error, len(use))
	var wg sync.WaitGroup
	for j, i := range use {
		pieces[i] = bufs[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := shards[i].ReadAt(bufs[i], off); err != nil && !errors.Is(err, io.EOF) {
				errs[j] = fmt.Errorf("shard %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
