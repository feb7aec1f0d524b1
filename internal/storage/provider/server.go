package provider

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
)

// maxManifest bounds a manifest upload: the header and 255 roots.
const maxManifest = 64 << 10

// Handler serves the provider's HTTP API:
//
//	PUT /v1/manifests/{cid}          a file's manifest (must hash to cid)
//	GET /v1/manifests/{cid}
//	PUT /v1/shards/{cid}/{i}         shard i (checked against its root)
//	PUT /v1/streams/{i}              shard i before its manifest (single-pass put): the layout
//	                                 in the Depin-Layout header (hex manifest, zero roots), the
//	                                 manifest in the Depin-Manifest trailer; kept if it matches
//	GET /v1/shards/{cid}/{i}
//	GET /v1/proofs/{cid}/{i}/{leaf}  a leaf and its Merkle path (content.Proof encoding)
//	POST /v1/receipts                a consumer's signed egress receipt (market SignedReceipt)
//	GET /metrics
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /v1/manifests/{cid}", p.putManifest)
	mux.HandleFunc("GET /v1/manifests/{cid}", p.getManifest)
	mux.HandleFunc("PUT /v1/shards/{cid}/{i}", p.putShard)
	mux.HandleFunc("PUT /v1/streams/{i}", p.putStream)
	mux.HandleFunc("GET /v1/shards/{cid}/{i}", p.getShard)
	mux.HandleFunc("GET /v1/proofs/{cid}/{i}/{leaf}", p.getProof)
	mux.HandleFunc("POST /v1/receipts", p.postReceipt)
	mux.Handle("GET /metrics", promhttp.HandlerFor(p.m.reg, promhttp.HandlerOpts{}))
	return mux
}

func cidOf(r *http.Request) (content.CID, error) { return content.ParseCID(r.PathValue("cid")) }

func shardOf(r *http.Request) (content.CID, int, error) {
	c, err := cidOf(r)
	if err != nil {
		return c, 0, err
	}
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= content.MaxShards {
		return c, 0, fmt.Errorf("shard index %q: %w", r.PathValue("i"), content.ErrMalformed)
	}
	return c, i, nil
}

func (p *Provider) putManifest(w http.ResponseWriter, r *http.Request) {
	c, err := cidOf(r)
	if err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxManifest+1))
	if err != nil || len(b) > maxManifest {
		p.reject(w, http.StatusRequestEntityTooLarge, fmt.Errorf("manifest larger than %d bytes", maxManifest))
		return
	}
	if _, err := p.disk.PutManifest(c, b); err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *Provider) getManifest(w http.ResponseWriter, r *http.Request) {
	c, err := cidOf(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_, b, err := p.disk.Manifest(c)
	if err != nil {
		http.Error(w, "no such manifest", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(b)
}

func (p *Provider) putShard(w http.ResponseWriter, r *http.Request) {
	c, i, err := shardOf(r)
	if err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	m, _, err := p.disk.Manifest(c)
	if err != nil {
		p.reject(w, http.StatusNotFound, fmt.Errorf("upload the manifest of %s first", c))
		return
	}
	if i >= m.N {
		p.reject(w, http.StatusBadRequest, fmt.Errorf("shard %d of %d", i, m.N))
		return
	}
	if cap := p.cfg.Capacity; cap > 0 && p.disk.Used()+int64(m.ShardSize()) > cap {
		p.reject(w, http.StatusInsufficientStorage, fmt.Errorf("capacity %d bytes reached", cap))
		return
	}
	if r.ContentLength >= 0 && uint64(r.ContentLength) != m.ShardSize() {
		p.reject(w, http.StatusBadRequest, fmt.Errorf("shard of %d bytes, want %d", r.ContentLength, m.ShardSize()))
		return
	}
	if err := p.disk.PutShard(c, i, r.Body); err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	p.m.uploads.Inc()
	p.m.uploadBytes.Add(float64(m.ShardSize()))
	p.log.Info("shard kept", "cid", c, "shard", i, "bytes", m.ShardSize())
	w.WriteHeader(http.StatusNoContent)
}

// Headers of a streamed upload.
const (
	layoutHeader   = "Depin-Layout"
	manifestHeader = "Depin-Manifest"
)

func (p *Provider) putStream(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= content.MaxShards {
		p.reject(w, http.StatusBadRequest, fmt.Errorf("shard index %q: %w", r.PathValue("i"), content.ErrMalformed))
		return
	}
	raw, err := hex.DecodeString(r.Header.Get(layoutHeader))
	if err != nil || len(raw) > maxManifest {
		p.reject(w, http.StatusBadRequest, fmt.Errorf("%s header: not a hex manifest", layoutHeader))
		return
	}
	layout, err := content.DecodeManifest(raw)
	if err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	if i >= layout.N {
		p.reject(w, http.StatusBadRequest, fmt.Errorf("shard %d of %d", i, layout.N))
		return
	}
	if cap := p.cfg.Capacity; cap > 0 && p.disk.Used()+int64(layout.ShardSize()) > cap {
		p.reject(w, http.StatusInsufficientStorage, fmt.Errorf("capacity %d bytes reached", cap))
		return
	}
	if r.ContentLength >= 0 && uint64(r.ContentLength) != layout.ShardSize() {
		p.reject(w, http.StatusBadRequest, fmt.Errorf("shard of %d bytes, want %d", r.ContentLength, layout.ShardSize()))
		return
	}
	c, err := p.disk.PutShardStream(layout, i, r.Body, func() []byte {
		b, err := hex.DecodeString(r.Trailer.Get(manifestHeader))
		if err != nil || len(b) > maxManifest {
			return nil
		}
		return b
	})
	if err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	p.m.uploads.Inc()
	p.m.uploadBytes.Add(float64(layout.ShardSize()))
	p.log.Info("shard kept", "cid", c, "shard", i, "bytes", layout.ShardSize())
	w.WriteHeader(http.StatusNoContent)
}

func (p *Provider) reject(w http.ResponseWriter, status int, err error) {
	p.m.uploadRejected.Inc()
	p.log.Info("upload refused", "err", err)
	http.Error(w, err.Error(), status)
}

func (p *Provider) getShard(w http.ResponseWriter, r *http.Request) {
	c, i, err := shardOf(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f, err := p.disk.OpenShard(c, i)
	if err != nil {
		http.Error(w, "no such shard", http.StatusNotFound)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.Error(w, "cannot read the shard", http.StatusInternalServerError)
		return
	}
	leaf := uint64(content.DefaultLeafSize)
	if m, _, err := p.disk.Manifest(c); err == nil {
		leaf = uint64(m.LeafSize)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	var src io.Reader = f
	if p.cfg.Adversary == AdversaryCorrupt || p.cfg.Adversary == AdversaryCorruptServe || p.cfg.Adversary == AdversaryCorruptQuiet {
		src = &corrupter{r: f, leaf: leaf}
	}
	var n int64
	if r.Header.Get(storage.SignChunksHeader) != "" {
		var whole bool
		if n, whole = p.serveChunks(w, src, c, i, int(leaf), info.Size()); !whole {
			p.log.Info("download cut off", "cid", c, "shard", i, "bytes", n)
		}
	} else if r.Header.Get(storage.SignServedHeader) != "" && p.cfg.Adversary != AdversaryCorruptQuiet {
		// A signed download: hashed as it goes out, signed in trailers.
		w.Header().Set("Trailer", storage.ServedTrailer+", "+storage.ServedSigTrailer+", "+storage.ServedKeyTrailer)
		var whole bool
		if n, whole = p.serveSigned(w, src, c, i, int(leaf), info.Size()); !whole {
			p.log.Info("download cut off", "cid", c, "shard", i, "bytes", n)
		}
	} else {
		w.Header().Set("Content-Length", strconv.FormatInt(info.Size(), 10))
		n, _ = io.Copy(w, src)
	}
	p.m.downloads.Inc()
	p.m.downloadBytes.Add(float64(n))
}

// corrupter flips the lowest bit of the first byte of every leaf it
// serves (AdversaryCorrupt).
type corrupter struct {
	r    io.Reader
	leaf uint64
	off  uint64
}

func (c *corrupter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	for i := 0; i < n; i++ {
		if (c.off+uint64(i))%c.leaf == 0 {
			b[i] ^= 1
		}
	}
	c.off += uint64(n)
	return n, err
}

func (p *Provider) getProof(w http.ResponseWriter, r *http.Request) {
	c, i, err := shardOf(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	leaf, err := strconv.ParseUint(r.PathValue("leaf"), 10, 64)
	if err != nil {
		http.Error(w, "leaf index is not a number", http.StatusBadRequest)
		return
	}
	pr, err := p.disk.Prove(c, i, leaf)
	if errors.Is(err, ErrNotFound) {
		http.Error(w, "no such shard", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(pr.Encode())
}
