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
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
	"github.com/depin-network/depin/internal/storage/uplink"
)

// StorageConfig sizes the storage benchmark.
type StorageConfig struct {
	// Size is the file's size in bytes.
	Size int64
	// K of N shards.
	K, N int
	// Proofs is the number of challenge proofs verified.
	Proofs int
	// Reps is how many times put and get and their baselines run; the
	// report gives medians.
	Reps int
	// Dir holds the temporary files ("": the system's).
	Dir string
}

// DefaultStorageConfig is the configuration of `depin bench storage`.
func DefaultStorageConfig() StorageConfig {
	return StorageConfig{Size: 256 << 20, K: 4, N: 8, Proofs: 100_000, Reps: 5}
}

// storageRun is one repetition's wall and CPU times.
type storageRun struct {
	basePut, baseGet, put, get, spread     time.Duration
	basePutCPU, baseGetCPU, putCPU, getCPU time.Duration
}

// RunStorage measures put and get of one file over loopback HTTP against a
// plain copy of the same bytes through the same HTTP stack, on the same
// disk, measured in the same run, and the storage module's proof check
// per second.
//
// Put is the whole client side of an upload with the providers' side, in
// one pass (uplink.StreamPut, what Put runs once its bids are accepted):
// encrypt, erasure-code and Merklize the file straight into N parallel
// uploads to N provider services, each of which hashes its shard while
// streaming it to disk and keeps it once the manifest in the upload's
// trailer names that root, synced and renamed. The baseline is one HTTP PUT of the file to a handler that
// streams it to disk, syncs and renames it. Get streams K shards in
// parallel into the decoder, each checked against its root as it arrives
// (uplink.StreamGet), into an output file; its baseline is one HTTP GET of
// the file into a file. Each runs cfg.Reps times, interleaved with its
// baseline; the report gives the median throughput (file bytes per
// second), the median per-run ratio and the CPU time (user + system, the
// whole process) per GiB of file, which load on the machine moves less.
func RunStorage(ctx context.Context, cfg StorageConfig) (*Report, error) {
	if cfg.Size <= 0 || cfg.K < 1 || cfg.N <= cfg.K || cfg.Proofs <= 0 {
		return nil, errors.New("bench: storage: size, k < n and proofs must be positive")
	}
	cfg.Reps = max(cfg.Reps, 1)
	dir, err := os.MkdirTemp(cfg.Dir, "depin-bench-storage-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in")
	if err := writeRandom(in, cfg.Size); err != nil {
		return nil, err
	}
	want := fileHash(in)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.N}}
	defer hc.CloseIdleConnections()

	// The baseline server and N provider services, HTTP only, on the
	// same disk.
	base, err := newBlobServer(filepath.Join(dir, "blob"))
	if err != nil {
		return nil, err
	}
	defer base.Close()
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
		pc.Dir, pc.Listen, pc.Capacity = provDir(dir, i), "127.0.0.1:0", 0
		p, err := provider.New(pc, sig.KeyFromSeed(make([]byte, 32)), nil, log)
		if err != nil {
			return nil, err
		}
		provs = append(provs, p)
		go p.Serve()
		urls[i] = p.URL()
	}

	master := bytes.Repeat([]byte{1}, content.KeyLen)
	salt := rand.NewChaCha8([32]byte{9})
	runs := make([]storageRun, cfg.Reps)
	var m *content.Manifest
	for rep := range runs {
		r := &runs[rep]
		copyPath := filepath.Join(dir, "blob-copy")
		if r.basePut, r.basePutCPU, err = timed(func() error { return putFile(ctx, hc, base.url+"/blob", in) }); err != nil {
			return nil, err
		}
		if r.baseGet, r.baseGetCPU, err = timed(func() error { return getFile(ctx, hc, base.url+"/blob", copyPath) }); err != nil {
			return nil, err
		}
		if r.spread, _, err = timed(func() error { return putSpread(ctx, hc, base.url+"/blob", in, cfg.Size, cfg.K, cfg.N) }); err != nil {
			return nil, err
		}
		os.Remove(copyPath)
		if m != nil {
			removeShards(dir, cfg.N, m.CID())
		}
		r.put, r.putCPU, err = timed(func() error {
			var err error
			m, err = putStreamed(ctx, hc, in, cfg, master, salt, urls)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("bench: storage: put: %w", err)
		}
		out := filepath.Join(dir, "out")
		if r.get, r.getCPU, err = timed(func() error { return getStreamed(ctx, hc, m, master, urls, out) }); err != nil {
			return nil, fmt.Errorf("bench: storage: get: %w", err)
		}
		if fileHash(out) != want {
			return nil, errors.New("bench: storage: the file came back different")
		}
		os.Remove(out)
	}

	perSec, depth, err := proofRate(filepath.Join(provDir(dir, 0), "shards", m.CID().String()+".0"), m, cfg.Proofs)
	if err != nil {
		return nil, err
	}
	mib := float64(cfg.Size) / (1 << 20)
	rate := func(d time.Duration) float64 { return mib / d.Seconds() }
	perGiB := func(d time.Duration) float64 { return d.Seconds() / (mib / 1024) }
	pick := func(f func(storageRun) time.Duration) time.Duration {
		ds := make([]time.Duration, len(runs))
		for i, r := range runs {
			ds[i] = f(r)
		}
		return median(ds)
	}
	ratios := func(fig, bas func(storageRun) time.Duration) string {
		rs := make([]float64, len(runs))
		for i, r := range runs {
			rs[i] = bas(r).Seconds() / fig(r).Seconds()
		}
		slices.Sort(rs)
		return fmt.Sprintf("median of %d runs; ratio per run %.2f to %.2f, median %.2f", len(rs), rs[0], rs[len(rs)-1], rs[len(rs)/2])
	}
	basePut, baseGet := pick(func(r storageRun) time.Duration { return r.basePut }), pick(func(r storageRun) time.Duration { return r.baseGet })
	put, get := pick(func(r storageRun) time.Duration { return r.put }), pick(func(r storageRun) time.Duration { return r.get })
	rows := []Row{
		{Name: "put (encode, Merklize, n streamed uploads, one pass)", Figure: rate(put), Unit: "MiB/s", Baseline: rate(basePut),
			BaselineName: "plain HTTP PUT", Note: "target ratio >= 0.5; " + ratios(func(r storageRun) time.Duration { return r.put }, func(r storageRun) time.Duration { return r.basePut })},
		{Name: "get (stream k shards, check tags or roots, decrypt)", Figure: rate(get), Unit: "MiB/s", Baseline: rate(baseGet),
			BaselineName: "plain HTTP GET", Note: "target ratio >= 0.7; " + ratios(func(r storageRun) time.Duration { return r.get }, func(r storageRun) time.Duration { return r.baseGet })},
		{Name: fmt.Sprintf("put floor: %d plain PUTs of a %d-th of the file in parallel", cfg.N, cfg.K), Figure: rate(pick(func(r storageRun) time.Duration { return r.spread })),
			Unit: "MiB/s", Baseline: rate(basePut), BaselineName: "plain HTTP PUT",
			Note: fmt.Sprintf("n/k = %.1f× the bytes over loopback and to disk, no coding or hashing: the most put can reach here", float64(cfg.N)/float64(cfg.K))},
	}
	if processCPU() > 0 {
		rows = append(rows,
			Row{Name: "put CPU (user+sys, whole process)", Figure: perGiB(pick(func(r storageRun) time.Duration { return r.putCPU })), Unit: "s/GiB",
				Baseline: perGiB(pick(func(r storageRun) time.Duration { return r.basePutCPU })), BaselineName: "plain HTTP PUT", Note: "medians; lower is better"},
			Row{Name: "get CPU (user+sys, whole process)", Figure: perGiB(pick(func(r storageRun) time.Duration { return r.getCPU })), Unit: "s/GiB",
				Baseline: perGiB(pick(func(r storageRun) time.Duration { return r.baseGetCPU })), BaselineName: "plain HTTP GET", Note: "medians; lower is better"})
	}
	rows = append(rows, Row{Name: "proof checks (storage.VerifyLeaf)", Figure: perSec, Unit: "proofs/s",
		Note: fmt.Sprintf("%d-byte leaves, %d-hash paths", m.LeafSize, depth)})
	return &Report{
		Title: fmt.Sprintf("storage: a %d MiB file at %d/%d over loopback HTTP, %d runs, GOMAXPROCS %d", cfg.Size>>20, cfg.K, cfg.N, cfg.Reps, runtime.GOMAXPROCS(0)),
		Rows:  rows,
	}, nil
}

// timed runs f and returns its wall time and the process's CPU time.
func timed(f func() error) (time.Duration, time.Duration, error) {
	c0, t0 := processCPU(), time.Now()
	err := f()
	return time.Since(t0), processCPU() - c0, err
}

func provDir(dir string, i int) string { return filepath.Join(dir, "prov"+strconv.Itoa(i)) }

// removeShards drops the shards of the previous run, so that every run
// writes to the disk in the same state.
func removeShards(dir string, n int, cid content.CID) {
	for i := range n {
		paths, _ := filepath.Glob(filepath.Join(provDir(dir, i), "shards", cid.String()+".*"))
		for _, p := range paths {
			os.Remove(p)
		}
	}
}

// putStreamed is the put: the layout planned, then the file encoded
// straight into the uploads.
func putStreamed(ctx context.Context, hc *http.Client, in string, cfg StorageConfig, master []byte, salt io.Reader, urls []string) (*content.Manifest, error) {
	f, err := os.Open(in)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := content.Plan(uint64(cfg.Size), content.Options{K: cfg.K, N: cfg.N, Encrypt: true, Key: master, Rand: salt})
	if err != nil {
		return nil, err
	}
	return m, uplink.StreamPut(ctx, hc, io.NewSectionReader(f, 0, cfg.Size), m, master, urls)
}

// getStreamed is the get: K shards streamed into the decoder, into a file.
func getStreamed(ctx context.Context, hc *http.Client, m *content.Manifest, master []byte, urls []string, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := uplink.StreamGet(ctx, hc, m, master, urls, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// proofRate verifies n challenge proofs of shard 0 and returns proofs per
// second and the path length.
func proofRate(shard string, m *content.Manifest, n int) (float64, int, error) {
	f, err := os.Open(shard)
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

// putSpread is the disk and network floor of a k-of-n put: n plain PUTs in
// parallel, each of a k-th of the file (read from it at offset
// (i mod k) × size/k), so n/k times the file's bytes cross loopback and
// are written and synced, with no coding and no hashing.
func putSpread(ctx context.Context, hc *http.Client, url, path string, size int64, k, n int) error {
	part := size / int64(k)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := os.Open(path)
			if err != nil {
				errs[i] = err
				return
			}
			defer f.Close()
			if _, err := f.Seek(int64(i%k)*part, io.SeekStart); err != nil {
				errs[i] = err
				return
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, url+"/"+strconv.Itoa(i), io.LimitReader(f, part))
			if err != nil {
				errs[i] = err
				return
			}
			req.ContentLength = part
			errs[i] = doOK(hc, req)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
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
// renamed into place, the directory synced, as a provider does; GET
// serves it.
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
	store := func(w http.ResponseWriter, r *http.Request, path string) {
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
		if err == nil {
			err = syncDir(filepath.Dir(path))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
	mux.HandleFunc("PUT /blob", func(w http.ResponseWriter, r *http.Request) { store(w, r, path) })
	mux.HandleFunc("PUT /blob/{i}", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(r.PathValue("i"))
		if err != nil || i < 0 || i > content.MaxShards {
			http.Error(w, "bad blob index", http.StatusBadRequest)
			return
		}
		store(w, r, path+"."+strconv.Itoa(i))
	})
	mux.HandleFunc("GET /blob", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, path) })
	b.srv = &http.Server{Handler: mux}
	go b.srv.Serve(ln)
	return b, nil
}

func (b *blobServer) Close() { b.srv.Close() }

func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
