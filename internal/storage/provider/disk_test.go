package provider

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage/content"
)

func testFile(t *testing.T) (*content.Manifest, [][]byte) {
	t.Helper()
	data := bytes.Repeat([]byte("provider test "), 2000)
	bufs := []*bytes.Buffer{new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)}
	m, err := content.Encode(bytes.NewReader(data), uint64(len(data)), content.Options{K: 2, N: 3, SegmentSize: 4096, LeafSize: 256},
		[]io.Writer{bufs[0], bufs[1], bufs[2]})
	if err != nil {
		t.Fatal(err)
	}
	return m, [][]byte{bufs[0].Bytes(), bufs[1].Bytes(), bufs[2].Bytes()}
}

// failingReader returns n bytes then an error: an upload cut off midway.
type failingReader struct {
	b []byte
	n int
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("connection reset")
	}
	k := copy(p, r.b[:min(len(p), r.n)])
	r.b, r.n = r.b[k:], r.n-k
	return k, nil
}

func TestPartialUploadNeverCounts(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, shards := testFile(t)
	c := m.CID()
	if _, err := d.PutManifest(c, m.Encode()); err != nil {
		t.Fatal(err)
	}
	if err := d.PutShard(c, 1, &failingReader{b: shards[1], n: len(shards[1]) / 2}); err == nil {
		t.Fatalf("a cut-off upload was accepted")
	}
	if d.HasShard(c, 1) || d.Used() != 0 {
		t.Fatalf("a cut-off upload left a shard (used %d)", d.Used())
	}
	// A crash mid-upload leaves a temporary file: reopening removes it.
	if err := os.WriteFile(filepath.Join(dir, "tmp", "up-crashed"), shards[1][:100], 0o600); err != nil {
		t.Fatal(err)
	}
	if d, err = OpenDisk(dir); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 0 {
		t.Fatalf("tmp holds %d files after reopening", len(ents))
	}
	if err := d.PutShard(c, 1, bytes.NewReader(shards[1])); err != nil {
		t.Fatal(err)
	}
	// The kept shard survives a reopen and proves every leaf.
	if d, err = OpenDisk(dir); err != nil {
		t.Fatal(err)
	}
	if d.Used() != int64(m.ShardSize()) {
		t.Fatalf("used %d after reopening, want %d", d.Used(), m.ShardSize())
	}
	for i := range m.Leaves() {
		p, err := d.Prove(c, 1, i)
		if err != nil || !p.Verify(m, 1) {
			t.Fatalf("leaf %d: %v", i, err)
		}
	}
}

func TestUploadsAreChecked(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Dir, cfg.Listen = t.TempDir(), "127.0.0.1:0"
	p, err := New(cfg, sig.KeyFromSeed(make([]byte, 32)), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	m, shards := testFile(t)
	c := m.CID().String()
	put := func(path string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+path, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	bad := append([]byte(nil), shards[0]...)
	bad[10] ^= 1
	for _, tc := range []struct {
		name, path string
		body       []byte
		want       int
	}{
		{"shard before its manifest", "/v1/shards/" + c + "/0", shards[0], http.StatusNotFound},
		{"manifest of another cid", "/v1/manifests/" + content.CID{1}.String(), m.Encode(), http.StatusBadRequest},
		{"malformed cid", "/v1/manifests/nope", m.Encode(), http.StatusBadRequest},
		{"oversized manifest", "/v1/manifests/" + c, make([]byte, maxManifest+1), http.StatusRequestEntityTooLarge},
		{"manifest", "/v1/manifests/" + c, m.Encode(), http.StatusNoContent},
		{"corrupt shard", "/v1/shards/" + c + "/0", bad, http.StatusBadRequest},
		{"shard under another index", "/v1/shards/" + c + "/1", shards[0], http.StatusBadRequest},
		{"index beyond n", "/v1/shards/" + c + "/3", shards[0], http.StatusBadRequest},
		{"oversized shard", "/v1/shards/" + c + "/0", append(append([]byte(nil), shards[0]...), 0), http.StatusBadRequest},
		{"shard", "/v1/shards/" + c + "/0", shards[0], http.StatusNoContent},
	} {
		if got := put(tc.path, tc.body); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	resp, err := http.Get(srv.URL + "/v1/shards/" + c + "/0")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, shards[0]) {
		t.Fatalf("download differs from the upload")
	}
	if p.disk.HasShard(m.CID(), 1) {
		t.Fatalf("a refused upload was kept")
	}
}
