package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// ServedChunkDomain separates what a provider signs about one chunk of a
// download (a storagev1.ServedChunk) from every other signature.
const ServedChunkDomain = "depin/storage/served-chunk/v1"

// SignChunksHeader, set on a shard download request, asks the provider for
// signed chunks: the body is a run of frames, each a signed ServedChunk
// statement followed by the chunk's bytes (WriteChunkFrame). The careful
// path of a get asks and accepts no byte without its statement; the
// streamed path does not ask, so it keeps the provider's zero-copy send.
const SignChunksHeader = "Depin-Sign-Chunks"

// ServedKeyHeader carries the provider's public key (base64, standard
// encoding) on a signed-chunk download.
const ServedKeyHeader = "Depin-Served-Key"

// SignedChunkBytes is the size of a signed chunk: ChunkLeaves leaves, so
// that a report carrying one chunk, a leaf and its path fits in a
// transaction of the default tx.max_bytes (64 KiB).
const SignedChunkBytes = 32 << 10

// ChunkLeaves is the number of leaves of leafSize bytes in a signed chunk
// (one when a leaf is larger than SignedChunkBytes).
func ChunkLeaves(leafSize int) int { return max(1, SignedChunkBytes/max(leafSize, 1)) }

// MaxChunkBytes is the largest chunk a provider may sign for leaves of
// leafSize bytes; a report carries no larger one.
func MaxChunkBytes(leafSize int) int { return ChunkLeaves(leafSize) * leafSize }

// Bounds of a chunk frame's statement and signature.
const (
	maxStatement = 512
	maxSignature = 256
)

// ErrBadFrame is a malformed or oversized chunk frame.
var ErrBadFrame = errors.New("malformed chunk frame")

// SignChunk returns the signed statement of one chunk served: the chunk's
// SHA-256 and where it starts, under the provider's key.
func SignChunk(priv sig.PrivateKey, chainID string, cid []byte, shard uint32, firstLeaf uint64, height int64, chunk []byte) (raw, signature []byte) {
	h := sha256.Sum256(chunk)
	raw = ledger.Encode(&storagev1.ServedChunk{ChainId: chainID, Cid: cid, Shard: shard, FirstLeaf: firstLeaf, ChunkHash: h[:], Height: height})
	return raw, sig.Sign(priv, ServedChunkDomain, raw)
}

// WriteChunkFrame writes one frame: the statement's length (4 bytes, big
// endian) and bytes, the signature's length (2 bytes) and bytes, the
// chunk's length (4 bytes) and bytes. A provider that does not sign writes
// an empty signature.
func WriteChunkFrame(w io.Writer, statement, signature, chunk []byte) error {
	hdr := make([]byte, 0, 10+len(statement)+len(signature))
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(len(statement)))
	hdr = append(hdr, statement...)
	hdr = binary.BigEndian.AppendUint16(hdr, uint16(len(signature)))
	hdr = append(hdr, signature...)
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(len(chunk)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(chunk)
	return err
}

// ReadChunkFrame reads one frame written by WriteChunkFrame, with a chunk
// of at most maxChunk bytes read into buf's storage when it fits. It
// returns io.EOF at a clean end between frames and ErrBadFrame (wrapped)
// for a frame out of bounds.
func ReadChunkFrame(r io.Reader, maxChunk int, buf []byte) (statement, signature, chunk []byte, err error) {
	var n4 [4]byte
	if _, err = io.ReadFull(r, n4[:]); err != nil {
		return nil, nil, nil, err
	}
	ls := binary.BigEndian.Uint32(n4[:])
	if ls == 0 || ls > maxStatement {
		return nil, nil, nil, fmt.Errorf("statement of %d bytes: %w", ls, ErrBadFrame)
	}
	statement = make([]byte, ls)
	if _, err = io.ReadFull(r, statement); err != nil {
		return nil, nil, nil, noEOF(err)
	}
	var n2 [2]byte
	if _, err = io.ReadFull(r, n2[:]); err != nil {
		return nil, nil, nil, noEOF(err)
	}
	lg := binary.BigEndian.Uint16(n2[:])
	if lg > maxSignature {
		return nil, nil, nil, fmt.Errorf("signature of %d bytes: %w", lg, ErrBadFrame)
	}
	signature = make([]byte, lg)
	if _, err = io.ReadFull(r, signature); err != nil {
		return nil, nil, nil, noEOF(err)
	}
	if _, err = io.ReadFull(r, n4[:]); err != nil {
		return nil, nil, nil, noEOF(err)
	}
	lc := binary.BigEndian.Uint32(n4[:])
	if lc == 0 || uint64(lc) > uint64(max(maxChunk, 0)) {
		return nil, nil, nil, fmt.Errorf("chunk of %d bytes, at most %d: %w", lc, maxChunk, ErrBadFrame)
	}
	if cap(buf) >= int(lc) {
		chunk = buf[:lc]
	} else {
		chunk = make([]byte, lc)
	}
	if _, err = io.ReadFull(r, chunk); err != nil {
		return nil, nil, nil, noEOF(err)
	}
	return statement, signature, chunk, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
