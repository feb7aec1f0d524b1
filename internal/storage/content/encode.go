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

// Options choose the layout of an upload.
type Options struct {
	// K of N shards rebuild the file.
	K, N int
	// SegmentSize and LeafSize in bytes; 0 takes the defaults.
	SegmentSize, LeafSize uint32
	// Encrypt seals segments with a key derived from Key (the owner's
	// 32-byte master key) and a salt read from Rand.
	Encrypt bool
	Key     []byte
	Rand    io.Reader
}

// Encode reads exactly size bytes from r, lays them out as the options say
// and writes shard i to shards[i] (len(shards) must be N). It returns the
// manifest, whose CID names the file. Shards are written one segment at a
// time, each shard by its own goroutine, so a slow writer slows the upload
// but memory stays at a few segments.
func Encode(r io.Reader, size uint64, opt Options, shards []io.Writer) (*Manifest, error) {
	m := &Manifest{K: opt.K, N: opt.N, LeafSize: opt.LeafSize, SegmentSize: opt.SegmentSize, Size: size,
		Roots: make([]merkle.Hash, opt.N)}
	if m.LeafSize == 0 {
		m.LeafSize = DefaultLeafSize
	}
	if m.SegmentSize == 0 {
		m.SegmentSize = DefaultSegmentSize
	}
	var aead cipher.AEAD
	if opt.Encrypt {
		m.Cipher = CipherXChaCha20Poly1305
		if opt.Rand == nil {
			return nil, errors.New("encode: encryption needs a random source for the salt")
		}
		if _, err := io.ReadFull(opt.Rand, m.Salt[:]); err != nil {
			return nil, fmt.Errorf("encode: salt: %w", err)
		}
		var err error
		if aead, err = fileAEAD(opt.Key, m.Salt); err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if len(shards) != m.N {
		return nil, fmt.Errorf("encode: %d shard writers for %d shards", len(shards), m.N)
	}
	rs, err := reedsolomon.New(m.K, m.N-m.K)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	piece := m.PieceSize()
	// Two buffers: segment s+1 is read, sealed and coded while segment s
	// is hashed and written.
	var bufs [2]struct {
		data   []byte
		pieces [][]byte
	}
	for b := range bufs {
		bufs[b].data = make([]byte, uint64(m.N)*piece)
		bufs[b].pieces = make([][]byte, m.N)
		for i := range bufs[b].pieces {
			bufs[b].pieces[i] = bufs[b].data[uint64(i)*piece : uint64(i+1)*piece]
		}
	}
	plain := make([]byte, m.SegmentSize)
	leaves := make([][]merkle.Hash, m.N)
	for i := range leaves {
		leaves[i] = make([]merkle.Hash, 0, m.Leaves())
	}
	dataLen := uint64(m.K) * piece
	var pending chan error
	wait := func() error {
		if pending == nil {
			return nil
		}
		err := <-pending
		pending = nil
		return err
	}
	defer wait()
	for s := range m.Segments() {
		data, pieces := bufs[s%2].data, bufs[s%2].pieces
		n := m.segmentLen(s)
		if _, err := io.ReadFull(r, plain[:n]); err != nil {
			return nil, fmt.Errorf("encode: read segment %d: %w", s, err)
		}
		sealed := data[:n]
		if aead != nil {
			sealed = aead.Seal(data[:0], segmentNonce(s), plain[:n], m.segmentAssoc(s))
		} else {
			copy(data, plain[:n])
		}
		clear(data[len(sealed):dataLen])
		if err := rs.Encode(pieces); err != nil {
			return nil, fmt.Errorf("encode: erasure code segment %d: %w", s, err)
		}
		if err := wait(); err != nil {
			return nil, fmt.Errorf("encode: segment %d: %w", s-1, err)
		}
		ch := make(chan error, 1)
		pending = ch
		go func() { ch <- writePieces(pieces, shards, leaves, m.LeafSize) }()
	}
	if err := wait(); err != nil {
		return nil, fmt.Errorf("encode: last segment: %w", err)
	}
	var one [1]byte
	if k, _ := r.Read(one[:]); k > 0 {
		return nil, fmt.Errorf("encode: input is longer than %d bytes", size)
	}
	for i := range leaves {
		m.Roots[i] = merkle.RootInPlace(leaves[i])
	}
	return m, nil
}

// writePieces writes piece i to shards[i] and appends its leaf hashes to
// leaves[i], one goroutine per shard.
func writePieces(pieces [][]byte, shards []io.Writer, leaves [][]merkle.Hash, leafSize uint32) error {
	errs := make([]error, len(pieces))
	var wg sync.WaitGroup
	for i := range pieces {
		wg.Add(1)
		go func() {
			defer wg.Done()
			leaves[i] = appendLeaves(leaves[i], pieces[i], leafSize)
			if _, err := shards[i].Write(pieces[i]); err != nil {
				errs[i] = fmt.Errorf("write shard %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// appendLeaves appends the leaf hashes of b (a whole number of leaves).
func appendLeaves(dst []merkle.Hash, b []byte, leafSize uint32) []merkle.Hash {
	for off := 0; off < len(b); off += int(leafSize) {
		dst = append(dst, merkle.LeafHash(b[off:off+int(leafSize)]))
	}
	return dst
}
