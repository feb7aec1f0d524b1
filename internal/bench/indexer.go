package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/depin-network/depin/internal/explorer"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
)

// IndexerConfig sizes the indexer benchmark.
type IndexerConfig struct {
	// Devices are onboarded and located around Berlin, 100 per block.
	Devices int
	// Blocks is the chain's length; blocks after the devices carry two
	// transfers each.
	Blocks int
	// Requests per page for the latency percentiles.
	Requests int
	// BlockTime is the devnet's block interval, the production rate the
	// indexer must keep up with.
	BlockTime time.Duration
}

// DefaultIndexerConfig is the scale: 100k devices, 100k blocks.
func DefaultIndexerConfig() IndexerConfig {
	return IndexerConfig{Devices: 100_000, Blocks: 100_000, Requests: 200, BlockTime: 200 * time.Millisecond}
}

// RunIndexer builds a real chain in process, indexes it into SQLite from
// empty (the catch-up rate, against the rate the app produced the blocks
// and against the devnet's block rate), then serves the explorer over it
// and measures each page's 95th-percentile latency against a static file
// from the same server.
func RunIndexer(ctx context.Context, cfg IndexerConfig) (*Report, error) {
	c, err := indexertest.New(8, 300)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	dev := 0
	for c.Height() < int64(cfg.Blocks) {
		var txs [][]byte
		switch {
		case dev < cfg.Devices:
			for k := 0; k < 100 && dev+k < cfg.Devices; k++ {
				txs = append(txs, c.Onboard((dev+k)%8, dev+k))
			}
			if _, err := c.Commit(false, txs...); err != nil {
				return nil, err
			}
			txs = txs[:0]
			for k := 0; k < 100 && dev < cfg.Devices; k++ {
				txs = append(txs, c.Locate(dev%8, dev, indexertest.CityCell(dev)))
				dev++
			}
		default:
			h := int(c.Height())
			txs = append(txs, c.Transfer(h%8, (h+1)%8, 1), c.Transfer((h+2)%8, (h+3)%8, 2))
		}
		if _, err := c.Commit(false, txs...); err != nil {
			return nil, err
		}
	}
	produce := time.Since(start)
	dir, err := os.MkdirTemp("", "depin-bench-indexer-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := indexer.Open(filepath.Join(dir, "index.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ix := indexer.New(indexer.Config{Batch: 256, Workers: 4}, db, c.Source, nil, logger)
	start = time.Now()
	if _, err := ix.Sync(ctx); err != nil {
		return nil, err
	}
	catchUp := time.Since(start)
	blocks := float64(c.Height())
	rep := &Report{Title: fmt.Sprintf("indexer and explorer: %d devices, %d blocks, SQLite", cfg.Devices, c.Height())}
	rate := blocks / catchUp.Seconds()
	rep.Rows = append(rep.Rows,
		Row{Name: "catch-up rate", Figure: rate, Unit: "blocks/s", Baseline: 1 / cfg.BlockTime.Seconds(), BaselineName: "devnet block rate",
			Note: "target ratio >= 5"},
		Row{Name: "catch-up rate", Figure: rate, Unit: "blocks/s", Baseline: blocks / produce.Seconds(), BaselineName: "app producing the same blocks (no consensus)",
			Note: fmt.Sprintf("indexed in %.1f s", catchUp.Seconds())})

	srv, err := explorer.New(explorer.Config{}, db, logger)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(sctx, ln) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 30 * time.Second}
	fetch := func(path string) (time.Duration, int, error) {
		t0 := time.Now()
		resp, err := client.Get(base + path)
		if err != nil {
			return 0, 0, err
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("bench: GET %s: status %d", path, resp.StatusCode)
		}
		return time.Since(t0), int(n), nil
	}
	p95 := func(paths func(i int) string) (float64, int, error) {
		var ds []time.Duration
		size := 0
		for i := range cfg.Requests {
			d, n, err := fetch(paths(i))
			if err != nil {
				return 0, 0, err
			}
			ds = append(ds, d)
			size = max(size, n)
		}
		slices.Sort(ds)
		return float64(ds[len(ds)*95/100].Microseconds()) / 1000, size, nil
	}
	static, _, err := p95(func(int) string { return "/static/explorer.css" })
	if err != nil {
		return nil, err
	}
	nd := max(cfg.Devices, 1)
	acct := c.Account(1).String()
	pages := []struct {
		name string
		path func(i int) string
	}{
		{"home", func(int) string { return "/" }},
		{"blocks", func(int) string { return "/blocks" }},
		{"block", func(i int) string { return fmt.Sprintf("/blocks/%d", 1+i*7919%int(c.Height())) }},
		{"account", func(int) string { return "/accounts/" + acct }},
		{"devices", func(int) string { return "/devices" }},
		{"device", func(i int) string { return "/devices/" + indexertest.Device(i*104729%nd).String() }},
		{"epochs", func(int) string { return "/epochs" }},
		{"validators", func(int) string { return "/validators" }},
		{"search (height)", func(i int) string { return fmt.Sprintf("/api/search?q=%d", 1+i) }},
		{"map, world (hexes)", func(int) string { return "/api/map?bbox=-180,-85,180,85&zoom=2" }},
		{"map, city (hexes)", func(int) string { return "/api/map?bbox=13.0,52.3,13.6,52.7&zoom=8" }},
		{"map, street (devices)", func(int) string { return "/api/map?bbox=13.2,52.45,13.22,52.46&zoom=15" }},
	}
	for _, p := range pages {
		ms, size, err := p95(p.path)
		if err != nil {
			return nil, err
		}
		rep.Rows = append(rep.Rows, Row{Name: "p95 " + p.name, Figure: ms, Unit: "ms", Baseline: static, BaselineName: "static file, same server",
			Note: fmt.Sprintf("target < 200 ms; %d bytes", size)})
	}
	return rep, nil
}
