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
// size went out (a cut-off download signs nothing).
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
