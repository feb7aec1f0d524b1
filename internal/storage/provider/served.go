package provider

import (
	"encoding/base64"
	"io"
	"net/http"

	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// serveSigned streams a shard download from src and, once every byte is
// out, signs what it sent in the response's trailers: a Served statement
// of the Merkle root (over leaves of leafSize bytes) and size of the bytes
// actually written, with the chain id and height the provider last saw.
// An honest provider signs the deal's root and size; a provider whose
// bytes went bad (or an adversary) signs the evidence a client reports on
// chain (storage/report). It returns the bytes written and whether all of
// size went out (a cut-off download signs nothing). get asks for signed
// chunks instead (serveChunks), which a provider cannot leave unsigned
// without the download being refused.
func (p *Provider) serveSigned(w http.ResponseWriter, src io.Reader, c content.CID, shard int, leafSize int, size int64) (int64, bool) {
	h := storage.NewLeafHasher(leafSize)
	buf := make([]byte, 256<<10)
	// Through a plain writer, so the copy uses buf (large chunks), not the
	// response's own small buffer.
	n, err := io.CopyBuffer(struct{ io.Writer }{w}, io.TeeReader(src, h), buf)
	if err != nil || n != size {
		return n, false
	}
	root, served := h.Sum()
	chainID, _ := p.chainID.Load().(string)
	raw, signature := storage.SignServed(p.key, &storagev1.Served{ChainId: chainID, Cid: c[:], Shard: uint32(shard), Size: served,
		Root: root[:], Height: p.height.Load()})
	enc := base64.StdEncoding
	w.Header().Set(storage.ServedTrailer, enc.EncodeToString(raw))
	w.Header().Set(storage.ServedSigTrailer, enc.EncodeToString(signature))
	w.Header().Set(storage.ServedKeyTrailer, enc.EncodeToString(sig.PublicOf(p.key)))
	return n, true
}

// serveChunks sends a shard download as signed chunks (storage.SignChunksHeader):
// each chunk of storage.ChunkLeaves leaves goes out in one frame behind the
// provider's signed ServedChunk statement of it, so a client holds the
// provider's signature over every byte before it accepts it. The corrupt-quiet
// adversary sends its corrupt chunks with no signature (the client refuses the
// download at its first chunk). It returns the chunk bytes written and
// whether all of size went out.
func (p *Provider) serveChunks(w http.ResponseWriter, src io.Reader, c content.CID, shard int, leafSize int, size int64) (int64, bool) {
	w.Header().Set(storage.ServedKeyHeader, base64.StdEncoding.EncodeToString(sig.PublicOf(p.key)))
	chainID, _ := p.chainID.Load().(string)
	buf := make([]byte, storage.MaxChunkBytes(leafSize))
	var sent int64
	for leaf := uint64(0); sent < size; {
		n, err := io.ReadFull(src, buf[:min(int64(len(buf)), size-sent)])
		if err != nil {
			return sent, false
		}
		chunk := buf[:n]
		raw, signature := storage.SignChunk(p.key, chainID, c[:], uint32(shard), leaf, p.height.Load(), chunk)
		if p.cfg.Adversary == AdversaryCorruptQuiet {
			signature = nil
		}
		if err := storage.WriteChunkFrame(w, raw, signature, chunk); err != nil {
			return sent, false
		}
		sent += int64(n)
		leaf += uint64(n / leafSize)
	}
	return sent, true
}
