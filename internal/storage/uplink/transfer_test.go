package uplink

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
)

// transferNet is n provider services, HTTP only (no chain), the first
// one serving corrupt shards when asked to.
func transferNet(t *testing.T, n int, corruptFirst bool) []string {
	t.Helper()
	urls := make([]string, n)
	for i := range urls {
		cfg := provider.DefaultConfig()
		cfg.Dir, cfg.Listen = filepath.Join(t.TempDir(), "p"+strconv.Itoa(i)), "127.0.0.1:0"
		if i == 0 && corruptFirst {
			cfg.Adversary = provider.AdversaryCorrupt
		}
		p, err := provider.New(cfg, transferKey(i), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		go p.Serve()
		t.Cleanup(func() { p.Close() })
		urls[i] = p.URL()
	}
	return urls
}

// transferKey is the key of transferNet's provider i; transferAddr its
// address, which a signed-chunk download checks the provider's key against.
func transferKey(i int) sig.PrivateKey { return sig.KeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32)) }

func transferAddr(i int) string { return ledger.AddressOf(sig.PublicOf(transferKey(i))).String() }

// TestStreamedPutAndGet: the single-pass put streams every shard to its
// provider, which keeps it under the content id the trailer's manifest
// names; the streamed get brings the file back from the data shards, and
// from parity when data shards are missing.
func TestStreamedPutAndGet(t *testing.T) {
	for _, plain := range []bool{false, true} {
		urls := transferNet(t, 6, false)
		data := make([]byte, 1<<20+12345)
		rand.Read(data)
		master := bytes.Repeat([]byte{3}, content.KeyLen)
		opt := content.Options{K: 3, N: 6, SegmentSize: 64 << 10, LeafSize: 1 << 10, Encrypt: !plain, Key: master, Rand: rand.Reader}
		m, err := content.Plan(uint64(len(data)), opt)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := StreamPut(ctx, http.DefaultClient, bytes.NewReader(data), m, master, urls); err != nil {
			t.Fatalf("stream put: %v", err)
		}
		for _, hosts := range [][]string{urls, {"", urls[1], "", urls[3], "", urls[5]}} {
			var out bytes.Buffer
			if err := StreamGet(ctx, http.DefaultClient, m, master, hosts, &out); err != nil {
				t.Fatalf("plaintext %v: stream get from %v: %v", plain, hosts, err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("plaintext %v: stream get from %v: bytes differ", plain, hosts)
			}
		}
		// The providers keep the shards under the content id the roots make.
		cid := m.CID()
		for i, u := range urls {
			resp, err := http.Get(u + "/v1/shards/" + cid.String() + "/" + strconv.Itoa(i))
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("shard %d not kept under %s: %v %v", i, cid, err, resp)
			}
			leaves, err := content.ShardLeaves(m, i, resp.Body)
			resp.Body.Close()
			if err != nil || len(leaves) == 0 {
				t.Fatalf("shard %d kept does not match its root: %v", i, err)
			}
		}
	}
}

// TestStreamedPutAbortsOnAFailedUpload: a provider that refuses its upload
// ends the put with an error instead of a stalled encoder.
func TestStreamedPutAbortsOnAFailedUpload(t *testing.T) {
	urls := transferNet(t, 4, false)
	urls[2] = "http://127.0.0.1:1" // nothing listens
	data := make([]byte, 600<<10)
	master := bytes.Repeat([]byte{3}, content.KeyLen)
	m, err := content.Plan(uint64(len(data)), content.Options{K: 2, N: 4, SegmentSize: 64 << 10, Encrypt: true, Key: master, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	if err := StreamPut(context.Background(), http.DefaultClient, bytes.NewReader(data), m, master, urls); err == nil {
		t.Fatalf("put succeeded with a provider down")
	}
}

// TestGetFallsBackAndBlames: a provider serving corrupt bytes for a data
// shard makes the streamed get fail; the careful path then names it and
// brings the file back from the others.
func TestGetFallsBackAndBlames(t *testing.T) {
	for _, plain := range []bool{false, true} {
		urls := transferNet(t, 4, true)
		data := make([]byte, 300<<10)
		rand.Read(data)
		master := bytes.Repeat([]byte{5}, content.KeyLen)
		m, err := content.Plan(uint64(len(data)), content.Options{K: 2, N: 4, SegmentSize: 64 << 10,
			Encrypt: !plain, Key: master, Rand: rand.Reader})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := StreamPut(ctx, http.DefaultClient, bytes.NewReader(data), m, master, urls); err != nil {
			t.Fatal(err)
		}
		if err := StreamGet(ctx, http.DefaultClient, m, master, urls, io.Discard); err == nil {
			t.Fatalf("plaintext %v: corrupt shard 0 streamed through", plain)
		}
		cfg := DefaultConfig()
		cfg.TmpDir = t.TempDir()
		u := New(cfg, nil, nil, master, slog.New(slog.NewTextHandler(io.Discard, nil)))
		var hs []holder
		for i, h := range urls {
			hs = append(hs, holder{shard: i, provider: transferAddr(i), host: h, deal: uint64(i + 1)})
		}
		out := filepath.Join(t.TempDir(), "out")
		bad, served, err := u.download(ctx, m, hs, out)
		if err != nil {
			t.Fatalf("plaintext %v: download: %v", plain, err)
		}
		if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
			t.Fatalf("plaintext %v: bytes differ", plain)
		}
		if len(bad) != 1 || bad[0].Provider != transferAddr(0) {
			t.Fatalf("plaintext %v: blamed %+v, want p0 only", plain, bad)
		}
		for _, h := range served {
			if h.provider == transferAddr(0) {
				t.Fatalf("the corrupt provider counted as served")
			}
		}
	}
}
