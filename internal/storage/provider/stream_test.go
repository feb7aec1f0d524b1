package provider

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage/content"
)

// TestStreamedUploadKeptOnlyWhenItMatches: a shard streamed before its
// manifest is kept under the manifest's content id when the trailer's
// manifest has the announced layout and the root of the bytes; a cut-off
// stream, a missing or foreign manifest, another layout or other bytes
// leave nothing behind.
func TestStreamedUploadKeptOnlyWhenItMatches(t *testing.T) {
	m, shards := testFile(t)
	other, _ := testFile(t)
	other.Size-- // another layout
	wrongRoot := *m
	wrongRoot.Roots = append(wrongRoot.Roots[:0:0], m.Roots...)
	wrongRoot.Roots[1][0] ^= 1
	flipped := append([]byte(nil), shards[1]...)
	flipped[10] ^= 1
	for _, tc := range []struct {
		name     string
		body     io.Reader
		manifest []byte
	}{
		{"cut off", &failingReader{b: shards[1], n: len(shards[1]) / 2}, m.Encode()},
		{"no manifest", bytes.NewReader(shards[1]), nil},
		{"another layout", bytes.NewReader(shards[1]), other.Encode()},
		{"another root", bytes.NewReader(shards[1]), wrongRoot.Encode()},
		{"other bytes", bytes.NewReader(flipped), m.Encode()},
		{"too long", io.MultiReader(bytes.NewReader(shards[1]), bytes.NewReader([]byte{0})), m.Encode()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := OpenDisk(dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.PutShardStream(m.Skeleton(), 1, tc.body, func() []byte { return tc.manifest }); err == nil {
				t.Fatalf("accepted")
			}
			if d.HasShard(m.CID(), 1) || d.Used() != 0 {
				t.Fatalf("left a shard (used %d)", d.Used())
			}
			for _, sub := range []string{"tmp", "shards"} {
				if ents, _ := os.ReadDir(filepath.Join(dir, sub)); len(ents) != 0 {
					t.Fatalf("%s holds %d files", sub, len(ents))
				}
			}
		})
	}
	dir := t.TempDir()
	d, err := OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.PutShardStream(m.Skeleton(), 1, bytes.NewReader(shards[1]), func() []byte { return m.Encode() })
	if err != nil || c != m.CID() {
		t.Fatalf("honest stream: %s, %v", c, err)
	}
	// Kept with its manifest, it survives a reopen and proves its leaves.
	if d, err = OpenDisk(dir); err != nil {
		t.Fatal(err)
	}
	if !d.HasShard(c, 1) || d.Used() != int64(m.ShardSize()) {
		t.Fatalf("after reopening: has %v, used %d", d.HasShard(c, 1), d.Used())
	}
	for leaf := range m.Leaves() {
		p, err := d.Prove(c, 1, leaf)
		if err != nil || !p.Verify(m, 1) {
			t.Fatalf("leaf %d: %v", leaf, err)
		}
	}
}

// TestStreamHandler: the HTTP form, chunked with the manifest in the
// trailer, and a bad layout header refused.
func TestStreamHandler(t *testing.T) {
	p, err := New(Config{Dir: t.TempDir()}, sig.KeyFromSeed(make([]byte, 32)), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	m, shards := testFile(t)
	send := func(layout string, i int, body []byte, manifest []byte) int {
		pr, pw := io.Pipe()
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/v1/streams/"+strconv.Itoa(i), pr)
		req.ContentLength = -1
		req.Header.Set("Depin-Layout", layout)
		req.Trailer = http.Header{"Depin-Manifest": nil}
		go func() {
			pw.Write(body)
			req.Trailer.Set("Depin-Manifest", hex.EncodeToString(manifest))
			pw.Close()
		}()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	layout := hex.EncodeToString(m.Skeleton().Encode())
	if got := send("zz", 0, shards[0], m.Encode()); got != http.StatusBadRequest {
		t.Fatalf("bad layout header: %d", got)
	}
	if got := send(layout, 3, shards[0], m.Encode()); got != http.StatusBadRequest {
		t.Fatalf("shard index past n: %d", got)
	}
	if got := send(layout, 0, shards[0], m.Encode()); got != http.StatusNoContent {
		t.Fatalf("honest stream: %d", got)
	}
	resp, err := http.Get(srv.URL + "/v1/shards/" + m.CID().String() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, shards[0]) {
		t.Fatalf("the kept shard differs")
	}
	if _, err := content.ShardLeaves(m, 0, bytes.NewReader(got)); errors.Is(err, content.ErrRootMismatch) {
		t.Fatal(err)
	}
}
