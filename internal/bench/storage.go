package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
)

// StorageConfig sizes the storage benchmark.
type StorageConfig struct {
	// Size is the file's size in bytes.
	Size int64
	// K of N shards.
	K, N int
	// Proofs is the number of challenge proofs verified.
	Proofs int
	// Dir holds the temporary files ("": the system's).
	Dir string
}

// DefaultStorageConfig is the configuration of `depin bench storage`.
func DefaultStorageConfig() StorageConfig {
	return StorageConfig{Size: 256 << 20, K: 4, N: 8, Proofs: 100_000}
}

// RunStorage measures put and get of one file over loopback HTTP against a
// plain copy of the same bytes through the same HTTP stack, and the
// storage module's proof check per second.
//
// Put is the whole client side of an upload: encrypt, erasure-code and
// Merklize the file into N shard files (content.Encode), then upload the
// manifest and every shard in parallel to N provider services, each of
// which checks the shard against its root while streaming it to disk,
// syncs and renames it. The baseline is one HTTP PUT of the file to a
// handler that streams it to disk, syncs and renames it. Get downloads K
// shards in parallel, checking each against its root as it streams, and
// decodes and decrypts them into the output file; its baseline is one HTTP
// GET of the file into a file. Throughput is file bytes per second.
func RunStorage(ctx context.Context, cfg StorageConfig) (*Report, error) {
	if cfg.Size <= 0 || cfg.K < 1 || cfg.N <= cfg.K || cfg.Proofs <= 0 {
		return nil, errors.New("bench: storage: size, k < n and proofs must be positive")
	}
	dir, err := os.MkdirTemp(cfg.Dir, "depin-bench-storage-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in")
	if err := writeRandom(in, cfg.Size); err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.N}}

	// Baseline: a plain PUT and GET of the file through net/http.
	base, err := newBlobServer(filepath.Join(dir, "blob"))
	if err != nil {
		return nil, err
	}
	defer base.Close()
	t0 := time.Now()
	if err := putFile(ctx, hc, base.url+"/blob", in); err != nil {
		return nil, err
	}
	basePut := time.Since(t0)
	t0 = time.Now()
	if err := getFile(ctx, hc, base.url+"/blob", filepath.Join(dir, "blob-copy")); err != nil {
		return nil, err
	}
	baseGet := time.Since(t0)

	// N provider services, HTTP only.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	urls := make([]string, cfg.N)
	var provs []*provider.Provider
	defer func() {
		for _, p := range provs {
			p.Close()
		}
	}()
	for i := range urls {
		pc := provider.DefaultConfig()
		pc.Dir, pc.Listen = filepath.Join(dir, "prov"+strconv.Itoa(i)), "127.0.0.1:0"
		p, err := provider.New(pc, sig.KeyFromSeed(make([]byte, 32)), nil, log)
		if err != nil {
			return nil, err
		}
		provs = append(provs, p)
		go p.Serve()
		urls[i] = p.URL()
	}

	// Put: encode to shard files, upload in parallel.
	master := bytes.Repeat([]byte{1}, content.KeyLen)
	t0 = time.Now()
	m, err := encodeFile(in, dir, cfg, master)
	if err != nil {
		return nil, err
	}
	cid := m.CID()
	var wg sync.WaitGroup
	errs := make([]error, cfg.N)
	for i := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := putBytes(ctx, hc, urls[i]+"/v1/manifests/"+cid.String(), m.Encode()); err != nil {
				errs[i] = err
				return
			}
			errs[i] = putFile(ctx, hc, urls[i]+"/v1/shards/"+cid.String()+"/"+strconv.Itoa(i), shardPath(dir, i))
		}()
	}
	wg.Wait()
	put := time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bench: storage: upload: %w", err)
	}

	// Get: K shards in parallel, checked as they stream, then decode.
	t0 = time.Now()
	files := make([]*os.File, cfg.N)
	for i := range cfg.K {
		wg.Add(1)
		go func() {
			defer wg.Done()
			files[i], errs[i] = fetchChecked(ctx, hc, m, urls[i]+"/v1/shards/"+cid.String()+"/"+strconv.Itoa(i), i, dir)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bench: storage: download: %w", err)
	}
	readers := make([]io.ReaderAt, cfg.N)
	for i, f := range files {
		if f != nil {
			readers[i] = f
			defer f.Close()
		}
	}
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		return nil, err
	}
	if err := content.Decode(m, master, readers, out); err != nil {
		out.Close()
		return nil, err
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	get := time.Since(t0)
	if a, b := fileHash(in), fileHash(filepath.Join(dir, "out")); a != b {
		return nil, errors.New("bench: storage: the file came back different")
	}

	perSec, depth, err := proofRate(dir, m, cfg.Proofs)
	if err != nil {
		return nil, err
	}
	mib := float64(cfg.Size) / (1 << 20)
	rate := func(d time.Duration) float64 { return mib / d.Seconds() }
	return &Report{
		Title: fmt.Sprintf("storage: a %d MiB file at %d/%d over loopback HTTP", cfg.Size>>20, cfg.K, cfg.N),
		Rows: []Row{
			{Name: "put (encrypt, erasure-code, Merklize, upload)", Figure: rate(put), Unit: "MiB/s", Baseline: rate(basePut),
				BaselineName: "plain HTTP PUT", Note: "target ratio >= 0.5"},
			{Name: "get (download k, check roots, decode, decrypt)", Figure: rate(get), Unit: "MiB/s", Baseline: rate(baseGet),
				BaselineName: "plain HTTP GET", Note: "target ratio >= 0.7"},
			{Name: "proof checks (storage.VerifyLeaf)", Figure: perSec, Unit: "proofs/s",
				Note: fmt.Sprintf("%d-byte leaves, %d-hash paths", m.LeafSize, depth)},
		},
	}, nil
}

func shardPath(dir string, i int) string { return filepath.Join(dir, "shard"+strconv.Itoa(i)) }

func encodeFile(in, dir string, cfg StorageConfig, master []byte) (*content.Manifest, error) {
	f, err := os.Open(in)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ws := make([]io.Writer, cfg.N)
	var files []*os.File
	defer func() {
		for _, sf := range files {
			sf.Close()
		}
	}()
	for i := range ws {
		sf, err := os.Create(shardPath(dir, i))
		if err != nil {
			return nil, err
		}
		files = append(files, sf)
		ws[i] = sf
	}
	seed := rand.NewChaCha8([32]byte{9})
	return content.Encode(f, uint64(cfg.Size), content.Options{K: cfg.K, N: cfg.N, Encrypt: true, Key: master, Rand: seed}, ws)
}

func fetchChecked(ctx context.Context, hc *http.Client, m *content.Manifest, url string, i int, dir string) (*os.File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	f, err := os.Create(filepath.Join(dir, "got"+strconv.Itoa(i)))
	if err != nil {
		return nil, err
	}
	if _, err := content.ShardLeaves(m, i, io.TeeReader(resp.Body, f)); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// proofRate verifies n challenge proofs of shard 0 and returns proofs per
// second and the path length.
func proofRate(dir string, m *content.Manifest, n int) (float64, int, error) {
	f, err := os.Open(shardPath(dir, 0))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	leaves, err := content.ShardLeaves(m, 0, f)
	if err != nil {
		return 0, 0, err
	}
	tree := merkle.NewTree(leaves)
	const distinct = 1024
	proofs := make([]*content.Proof, distinct)
	var entropy [32]byte
	for i := range proofs {
		idx := storage.LeafIndex(entropy, uint64(i), 1, m.Leaves())
		if proofs[i], err = content.Prove(tree, f, m.LeafSize, idx); err != nil {
			return 0, 0, err
		}
	}
	t0 := time.Now()
	for i := range n {
		p := proofs[i%distinct]
		if !storage.VerifyLeaf(m.Roots[0], m.Leaves(), p.Index, p.Leaf, p.Path) {
			return 0, 0, errors.New("bench: storage: an honest proof does not verify")
		}
	}
	return float64(n) / time.Since(t0).Seconds(), len(proofs[0].Path), nil
}

func writeRandom(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	r := rand.NewChaCha8([32]byte{1})
	if _, err := io.CopyN(f, r, size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileHash(path string) [32]byte {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return [32]byte(h.Sum(nil))
}

func putBytes(ctx context.Context, hc *http.Client, url string, b []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	return doOK(hc, req)
}

func putFile(ctx context.Context, hc *http.Client, url, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, f)
	if err != nil {
		return err
	}
	req.ContentLength = info.Size()
	return doOK(hc, req)
}

func getFile(ctx context.Context, hc *http.Client, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func doOK(hc *http.Client, req *http.Request) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", req.Method, req.URL, resp.Status)
	}
	return nil
}

// blobServer is the baseline: PUT streams the body to a file, synced and
// renamed into place as a provider does; GET serves it.
type blobServer struct {
	srv  *http.Server
	url  string
	path string
}

func newBlobServer(path string) (*blobServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &blobServer{url: "http://" + ln.Addr().String(), path: path}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /blob", func(w http.ResponseWriter, r *http.Request) {
		tmp := path + ".tmp"
		f, err := os.Create(tmp)
		if err == nil {
			_, err = io.Copy(f, r.Body)
		}
		if err == nil {
			err = f.Sync()
		}
		if f != nil {
			f.Close()
		}
		if err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /blob", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, path) })
	b.srv = &http.Server{Handler: mux}
	go b.srv.Serve(ln)
	return b, nil
}

func (b *blobServer) Close() { b.srv.Close() }
