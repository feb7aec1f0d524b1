package uplink

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/depin-network/depin/internal/storage/content"
)

// The transfer pipeline of put and repair: shards go from their source
// (the file re-encoded on the fly, or rebuilt shard files) straight into
// one HTTP upload per provider, all in parallel. The encoder's segment
// pool is the only buffer, so a slow provider slows the whole put down
// instead of growing memory.

// shardSource produces the shards of idx for the uploads: one body per
// index, in order, and finish, which waits for the producer and returns
// its error once every body is drained or closed.
type shardSource func(idx []int) (bodies []shardBody, finish func() error)

// shardBody is one shard's upload. With a trailer it is a streamed upload
// (PUT /v1/streams/{i}: the layout in a header, the manifest in the
// trailer, filled by the producer before the body ends); without, the
// manifest is known and goes first (PUT /v1/manifests/{cid}, then
// /v1/shards/{cid}/{i}).
type shardBody struct {
	r       io.Reader
	trailer http.Header
}

// Headers of a streamed upload (provider.Handler reads them).
const (
	layoutHeader   = "Depin-Layout"
	manifestHeader = "Depin-Manifest"
)

// errUploadEnded ends a shard stream whose upload gave up, so that its
// producer does not wait for it.
var errUploadEnded = errors.New("upload ended")

// encodeSource encodes the file (exactly m.Size bytes of r) under m, Plan's
// manifest, in one pass and streams shard i through a pipe to the upload
// of shard i; when the last byte is encoded, m has its roots and every
// upload's trailer carries the manifest.
func encodeSource(r io.Reader, m *content.Manifest, master []byte) shardSource {
	return func(idx []int) ([]shardBody, func() error) {
		bodies := make([]shardBody, len(idx))
		ws := make([]io.Writer, m.N)
		pws := make([]*io.PipeWriter, len(idx))
		for j, i := range idx {
			pr, pw := io.Pipe()
			bodies[j] = shardBody{r: pieceChunks{pr, int(m.PieceSize())}, trailer: http.Header{manifestHeader: nil}}
			ws[i], pws[j] = pw, pw
		}
		done := make(chan error, 1)
		go func() {
			err := content.EncodeTo(r, m, master, ws)
			if err == nil {
				enc := hex.EncodeToString(m.Encode())
				for _, b := range bodies {
					b.trailer.Set(manifestHeader, enc)
				}
			}
			for _, pw := range pws {
				pw.CloseWithError(err) // nil: the upload sees the end of its shard
			}
			done <- err
		}()
		return bodies, func() error { return <-done }
	}
}

// pieceChunks sends a pipe's bytes in writes of up to a piece: a chunked
// upload then sends one HTTP chunk per piece instead of one per 32 KiB
// (io.Copy's buffer), and each chunk costs the transport three writes.
type pieceChunks struct {
	*io.PipeReader
	size int
}

// WriteTo is what io.Copy, and so the HTTP transport, calls.
func (p pieceChunks) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, p.size)
	var total int64
	for {
		n, err := p.PipeReader.Read(buf)
		if n > 0 {
			k, werr := w.Write(buf[:n])
			total += int64(k)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// filesSource reads shards from files (repair's rebuilt shards, whose
// manifest is known).
func filesSource(files []*os.File, size int64) shardSource {
	return func(idx []int) ([]shardBody, func() error) {
		bodies := make([]shardBody, len(idx))
		for j, i := range idx {
			bodies[j] = shardBody{r: io.NewSectionReader(files[i], 0, size)}
		}
		return bodies, func() error { return nil }
	}
}

// StreamPut is the transfer step of Put without the chain, for benchmarks
// and tools: it encodes exactly m.Size bytes of file under m (Plan's
// manifest) in one pass, streaming shard i to hosts[i] (a provider's base
// URL, one per shard), all in parallel, with no copy on disk; m has its
// roots when it returns. Put runs the same code once its bids are
// accepted.
func StreamPut(ctx context.Context, hc *http.Client, file io.Reader, m *content.Manifest, master []byte, hosts []string) error {
	if len(hosts) != m.N {
		return fmt.Errorf("stream put: %d hosts for %d shards", len(hosts), m.N)
	}
	idx := make([]int, m.N)
	for i := range idx {
		idx[i] = i
	}
	return uploadShards(ctx, hc, m, idx, hosts, encodeSource(file, m, master))
}

// uploadShards uploads shard idx[j] to hosts[j], all in parallel, from
// src.
func uploadShards(ctx context.Context, hc *http.Client, m *content.Manifest, idx []int, hosts []string, src shardSource) error {
	layout := hex.EncodeToString(m.Skeleton().Encode()) // before src fills m's roots
	bodies, finish := src(idx)
	var wg sync.WaitGroup
	errs := make([]error, len(idx)+1)
	for j := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bodies[j]
			if b.trailer != nil {
				errs[j] = uploadStream(ctx, hc, hosts[j], layout, idx[j], b)
			} else {
				errs[j] = upload(ctx, hc, hosts[j], m, idx[j], b.r)
			}
			if c, ok := b.r.(interface{ CloseWithError(error) error }); ok {
				c.CloseWithError(errUploadEnded) // a no-op once the shard was sent
			}
		}()
	}
	wg.Wait()
	if err := finish(); err != nil && !errors.Is(err, errUploadEnded) && !errors.Is(err, io.ErrClosedPipe) {
		errs[len(idx)] = fmt.Errorf("encode: %w", err)
	}
	return errors.Join(errs...)
}

// uploadStream sends shard i as a streamed upload: chunked, the layout in
// a header, the manifest in the trailer.
func uploadStream(ctx context.Context, hc *http.Client, host, layout string, i int, b shardBody) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, host+"/v1/streams/"+strconv.Itoa(i), b.r)
	if err != nil {
		return err
	}
	req.ContentLength = -1
	req.Header.Set(layoutHeader, layout)
	req.Trailer = b.trailer
	if err := do(hc, req); err != nil {
		return fmt.Errorf("upload shard %d to %s: %w", i, host, err)
	}
	return nil
}

func upload(ctx context.Context, hc *http.Client, host string, m *content.Manifest, i int, shard io.Reader) error {
	cid := m.CID()
	if err := put(ctx, hc, host+"/v1/manifests/"+cid.String(), bytes.NewReader(m.Encode()), int64(len(m.Encode()))); err != nil {
		return fmt.Errorf("upload manifest to %s: %w", host, err)
	}
	if err := put(ctx, hc, host+"/v1/shards/"+cid.String()+"/"+strconv.Itoa(i), shard, int64(m.ShardSize())); err != nil {
		return fmt.Errorf("upload shard %d to %s: %w", i, host, err)
	}
	return nil
}

func put(ctx context.Context, hc *http.Client, url string, body io.Reader, n int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, body)
	if err != nil {
		return err
	}
	req.ContentLength = n
	return do(hc, req)
}

func do(hc *http.Client, req *http.Request) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s", resp.Status, msg)
	}
	return nil
}

// tmpFiles creates n temporary files (nil where want[i] is false).
func (u *Uplink) tmpFiles(n int, want func(int) bool) ([]*os.File, func(), error) {
	files := make([]*os.File, n)
	cleanup := func() {
		for _, f := range files {
			if f != nil {
				f.Close()
				os.Remove(f.Name())
			}
		}
	}
	for i := range files {
		if !want(i) {
			continue
		}
		f, err := os.CreateTemp(u.cfg.TmpDir, "depin-shard-*")
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		files[i] = f
	}
	return files, cleanup, nil
}
