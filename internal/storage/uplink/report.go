package uplink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// ErrUnsignedChunk is a careful download refused at a chunk that came
// without a valid signed statement (storage.ServedChunk) of the provider:
// none of its bytes are used and the download is not paid.
var ErrUnsignedChunk = errors.New("a chunk without a valid signed statement")

// signedChunk is one chunk of a download, accepted with its statement.
type signedChunk struct {
	raw, sig []byte
	first    uint64 // the chunk's first leaf
	off, n   int64  // where its bytes are in the shard
}

// served is what a careful download kept to prove a corrupt shard: the
// provider's key, its signed statements, and the bytes it served (in f).
type served struct {
	h      holder
	pub    []byte
	chunks []signedChunk
	f      *os.File
}

func (s *served) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// corruptShard is a download whose signed bytes do not match the shard's
// root, with what the client kept to report it.
type corruptShard struct {
	err error
	s   *served
}

func (c *corruptShard) Error() string { return c.err.Error() }
func (c *corruptShard) Unwrap() error { return c.err }

func servedOf(err error) *served {
	var c *corruptShard
	if errors.As(err, &c) {
		return c.s
	}
	return nil
}

// chunkReader reads a signed-chunk download (storage.SignChunksHeader)
// and hands on a chunk's bytes only after its statement checks out: signed
// under the provider's key, about this chain, content id and shard,
// starting at the next leaf, with the SHA-256 of the chunk's bytes. At the
// first chunk that fails, it fails with ErrUnsignedChunk.
type chunkReader struct {
	body    io.Reader
	pub     []byte
	chainID string
	cid     content.CID
	shard   int
	leaf    int
	size    int64
	off     int64 // bytes accepted so far
	pending []byte
	chunks  []signedChunk
	buf     []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 {
		if r.off >= r.size {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

func (r *chunkReader) next() error {
	raw, sg, chunk, err := storage.ReadChunkFrame(r.body, storage.MaxChunkBytes(r.leaf), r.buf)
	if err != nil {
		if errors.Is(err, storage.ErrBadFrame) {
			return fmt.Errorf("%w: %v", ErrUnsignedChunk, err)
		}
		return err
	}
	if !sig.Verify(r.pub, storage.ServedChunkDomain, raw, sg) {
		return fmt.Errorf("%w: chunk at byte %d", ErrUnsignedChunk, r.off)
	}
	var s storagev1.ServedChunk
	sum := sha256.Sum256(chunk)
	if err := proto.Unmarshal(raw, &s); err != nil || s.ChainId != r.chainID || !bytes.Equal(s.Cid, r.cid[:]) || int(s.Shard) != r.shard ||
		s.FirstLeaf != uint64(r.off)/uint64(r.leaf) || !bytes.Equal(s.ChunkHash, sum[:]) ||
		(int64(len(chunk))%int64(r.leaf) != 0 && r.off+int64(len(chunk)) != r.size) {
		return fmt.Errorf("%w: the statement of the chunk at byte %d is not about it", ErrUnsignedChunk, r.off)
	}
	r.chunks = append(r.chunks, signedChunk{raw: raw, sig: sg, first: s.FirstLeaf, off: r.off, n: int64(len(chunk))})
	r.off += int64(len(chunk))
	r.pending, r.buf = chunk, chunk[:0]
	return nil
}

// fetchShard downloads one shard as signed chunks into a temporary file,
// checking each chunk's statement as it arrives and the shard against its
// root as it streams. A shard whose signed bytes miss the root comes back
// as a corruptShard error holding what proves it.
func (u *Uplink) fetchShard(ctx context.Context, m *content.Manifest, cid content.CID, chainID string, h holder) (*os.File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.host+"/v1/shards/"+cid.String()+"/"+strconv.Itoa(h.shard), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(storage.SignChunksHeader, "1")
	resp, err := u.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s", resp.Status)
	}
	pub, err := base64.StdEncoding.DecodeString(resp.Header.Get(storage.ServedKeyHeader))
	prov, perr := ledger.ParseAddress(h.provider)
	if err != nil || perr != nil || len(pub) != sig.PubKeyLen || ledger.AddressOf(pub) != prov {
		return nil, fmt.Errorf("%w: no key of provider %s", ErrUnsignedChunk, h.provider)
	}
	f, err := os.CreateTemp(u.cfg.TmpDir, "depin-get-*")
	if err != nil {
		return nil, err
	}
	cr := &chunkReader{body: resp.Body, pub: pub, chainID: chainID, cid: cid, shard: h.shard, leaf: int(m.LeafSize), size: int64(m.ShardSize()),
		buf: make([]byte, 0, storage.MaxChunkBytes(int(m.LeafSize)))}
	if _, err := content.ShardLeaves(m, h.shard, io.TeeReader(cr, f)); err != nil {
		if errors.Is(err, content.ErrRootMismatch) {
			return nil, &corruptShard{err: err, s: &served{h: h, pub: pub, chunks: cr.chunks, f: f}}
		}
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// prove builds the report of a corrupt download from the true shard: the
// first signed chunk with a leaf that differs from the true leaf, that
// leaf's index, bytes and path to the deal's root. The true shard comes
// from a holder that served it (readers[shard]), from the others rebuilt
// (any K of readers), or else from the provider's own proofs of the
// chunk's leaves (at most maxProofAsks asks). nil when no chunk can be
// shown wrong.
func (u *Uplink) prove(ctx context.Context, m *content.Manifest, readers []io.ReaderAt, s *served) *storagev1.MsgReport {
	leaf := int64(m.LeafSize)
	trueLeaf := u.trueLeaves(ctx, m, readers, s)
	got := make([]byte, leaf)
	for _, c := range s.chunks {
		for j := int64(0); j < c.n/leaf; j++ {
			idx := c.first + uint64(j)
			want, path, ok := trueLeaf(idx)
			if !ok {
				return nil
			}
			if _, err := s.f.ReadAt(got, c.off+j*leaf); err != nil || bytes.Equal(got, want) {
				continue
			}
			chunk := make([]byte, c.n)
			if _, err := s.f.ReadAt(chunk, c.off); err != nil {
				return nil
			}
			ps := make([][]byte, len(path))
			for k := range path {
				ps[k] = path[k][:]
			}
			return &storagev1.MsgReport{Deal: s.h.deal, Served: c.raw, PubKey: s.pub, Signature: c.sig, Chunk: chunk, Leaf: idx, TrueLeaf: want, Path: ps}
		}
	}
	return nil
}

// maxProofAsks bounds the leaves asked of a corrupt provider when the true
// shard cannot be rebuilt.
const maxProofAsks = 64

// trueLeaves returns a source of the shard's true leaves with their paths
// to the shard's root (see prove).
func (u *Uplink) trueLeaves(ctx context.Context, m *content.Manifest, readers []io.ReaderAt, s *served) func(uint64) ([]byte, []merkle.Hash, bool) {
	shard := s.h.shard
	var src io.ReaderAt
	if readers != nil {
		src = readers[shard]
	}
	if src == nil && readers != nil {
		tmp, err := os.CreateTemp(u.cfg.TmpDir, "depin-true-*")
		if err == nil {
			defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
			out := make([]io.Writer, m.N)
			out[shard] = tmp
			if content.Rebuild(m, readers, out) == nil {
				b, err := os.ReadFile(tmp.Name())
				if err == nil {
					src = bytes.NewReader(b)
				}
			}
		}
	}
	if src != nil {
		leaves, err := content.ShardLeaves(m, shard, io.NewSectionReader(src, 0, int64(m.ShardSize())))
		if err == nil {
			tree := merkle.NewTree(leaves)
			return func(i uint64) ([]byte, []merkle.Hash, bool) {
				p, ok := tree.Proof(i)
				b := make([]byte, m.LeafSize)
				if !ok {
					return nil, nil, false
				}
				if _, err := src.ReadAt(b, int64(i)*int64(m.LeafSize)); err != nil {
					return nil, nil, false
				}
				return b, p.Path, true
			}
		}
	}
	asks := 0
	return func(i uint64) ([]byte, []merkle.Hash, bool) {
		if asks++; asks > maxProofAsks {
			return nil, nil, false
		}
		b, err := u.fetch(ctx, fmt.Sprintf("%s/v1/proofs/%s/%d/%d", s.h.host, m.CID(), shard, i), 2*content.MaxLeafSize)
		if err != nil {
			return nil, nil, false
		}
		p, err := content.DecodeProof(b)
		if err != nil || p.Index != i || len(p.Leaf) != int(m.LeafSize) || !storage.VerifyLeaf(m.Roots[shard], m.Leaves(), i, p.Leaf, p.Path) {
			return nil, nil, false
		}
		return p.Leaf, p.Path, true
	}
}

// report sends the on-chain report of every corrupt download that has one
// (the owner's key signs it; only a deal's owner may report). The chain
// slashes the provider and counts it against its reputation
// (corrupt_download), once per deal per proof period.
func (u *Uplink) report(ctx context.Context, bad []BadShard) {
	if u.key == nil {
		return
	}
	for i := range bad {
		b := &bad[i]
		if b.Report == nil {
			continue
		}
		_, err := u.send(ctx, storage.TypeReport, b.Report)
		b.Reported, b.ReportErr = err == nil, err
		u.log.Warn("reported a corrupt download on chain", "provider", b.Provider, "deal", b.Deal, "shard", b.Shard, "err", err)
	}
}
