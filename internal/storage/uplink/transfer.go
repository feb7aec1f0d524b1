package uplink

import (
	"bytes"
	"context"
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

// shardSource produces the shards of idx for the uploads: one reader per
// index, in order, and finish, which waits for the producer and returns
// its error once every reader is drained or closed.
type shardSource func(idx []int) (readers []io.Reader, finish func() error)

// errUploadEnded ends a shard stream whose upload gave up, so that its
// producer does not wait for it.
var errUploadEnded = errors.New("upload ended")

// encodeSource re-encodes the file (exactly m.Size bytes of r) under m and
// streams shard i through a pipe to the upload of shard i.
func encodeSource(r io.Reader, m *content.Manifest, master []byte) shardSource {
	return func(idx []int) ([]io.Reader, func() error) {
		readers := make([]io.Reader, len(idx))
		ws := make([]io.Writer, m.N)
		pws := make([]*io.PipeWriter, len(idx))
		for j, i := range idx {
			pr, pw := io.Pipe()
			readers[j], ws[i], pws[j] = pr, pw, pw
		}
		done := make(chan error, 1)
		go func() {
			err := content.WriteShards(r, m, master, ws)
			for _, pw := range pws {
				pw.CloseWithError(err) // nil: the upload sees the end of its shard
			}
			done <- err
		}()
		return readers, func() error { return <-done }
	}
}

// filesSource reads shards from files (repair's rebuilt shards).
func filesSource(files []*os.File, size int64) shardSource {
	return func(idx []int) ([]io.Reader, func() error) {
		readers := make([]io.Reader, len(idx))
		for j, i := range idx {
			readers[j] = io.NewSectionReader(files[i], 0, size)
		}
		return readers, func() error { return nil }
	}
}

// StreamPut is the transfer step of Put without the chain, for benchmarks
// and tools: it re-encodes exactly m.Size bytes of file under m (Layout's
// manifest) and uploads the manifest and shard i to hosts[i] (a provider's
// base URL, one per shard), all in parallel, keeping no copy on disk. Put
// runs the same code once its deals are made.
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

// uploadShards uploads the manifest and shard idx[j] to hosts[j], all in
// parallel, from src.
func uploadShards(ctx context.Context, hc *http.Client, m *content.Manifest, idx []int, hosts []string, src shardSource) error {
	readers, finish := src(idx)
	var wg sync.WaitGroup
	errs := make([]error, len(idx)+1)
	for j := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[j] = upload(ctx, hc, hosts[j], m, idx[j], readers[j])
			if c, ok := readers[j].(interface{ CloseWithError(error) error }); ok {
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
