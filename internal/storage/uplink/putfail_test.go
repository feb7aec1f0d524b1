package uplink

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
)

// TestPutClosesLeasesWhenAnUploadFails: a provider that bids but whose
// listed host does not answer makes the streamed put fail before any deal
// is recorded; the put closes every lease it accepted, so the consumer
// pays for no shard.
func TestPutClosesLeasesWhenAnUploadFails(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of four providers for a few seconds")
	}
	names := []string{"alice"}
	for i := range 4 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{storage.AckTimeout.Name: 400, "market.settle_period_blocks": 1000}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go c.run(ctx, 25*time.Millisecond)
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := range 4 {
		name := fmt.Sprintf("prov%d", i)
		cfg := provider.DefaultConfig()
		cfg.Dir, cfg.Listen, cfg.Poll = filepath.Join(dir, name), "127.0.0.1:0", 40*time.Millisecond
		if i == 2 {
			cfg.HostURI = "http://127.0.0.1:1" // listed, but nothing answers there
		}
		p, err := provider.New(cfg, testKey(name), c, log)
		if err != nil {
			t.Fatal(err)
		}
		pctx, pcancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); p.Run(pctx) }()
		defer func() { pcancel(); <-done; p.Close() }()
	}
	in := filepath.Join(dir, "in.bin")
	data := make([]byte, 200<<10)
	rand.Read(data)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.K, cfg.N = 2, 4
	cfg.SegmentSize, cfg.BidWait, cfg.AckWait, cfg.Poll, cfg.Duration = 64<<10, 30*time.Second, 30*time.Second, 30*time.Millisecond, 5_000
	cfg.TmpDir = dir
	u := New(cfg, c, testKey("alice"), bytes.Repeat([]byte{7}, content.KeyLen), log)
	if _, err := u.Put(ctx, in, rand.Reader); err == nil {
		t.Fatalf("put succeeded with a provider unreachable")
	}
	var page market.LeasesPage
	if err := c.Query(ctx, "market/leases?owner="+testAddr("alice").String(), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Leases) != 4 {
		t.Fatalf("%d leases, want the 4 accepted", len(page.Leases))
	}
	for _, l := range page.Leases {
		if l.State != "closed" {
			t.Errorf("lease %d of %s left %s after the failed put", l.ID, l.Provider, l.State)
		}
	}
	var deals []storage.DealView
	if err := c.Query(ctx, "storage/deals?owner="+testAddr("alice").String(), &deals); err != nil || len(deals) != 0 {
		t.Fatalf("deals after a failed put: %d (%v)", len(deals), err)
	}
}
