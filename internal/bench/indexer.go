package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/explorer"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/storage"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
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
	svc, err := makeServices(c)
	if err != nil {
		return nil, err
	}
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
	// The module pages read the chain's state in process (no node RPC).
	srv.UseState(c)
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
		name  string
		path  func(i int) string
		state bool // the page reads the node's state
	}{
		{"home", func(int) string { return "/" }, false},
		{"blocks", func(int) string { return "/blocks" }, false},
		{"block", func(i int) string { return fmt.Sprintf("/blocks/%d", 1+i*7919%int(c.Height())) }, false},
		{"account", func(int) string { return "/accounts/" + acct }, false},
		{"devices", func(int) string { return "/devices" }, false},
		{"device", func(i int) string { return "/devices/" + indexertest.Device(i*104729%nd).String() }, false},
		{"epochs", func(int) string { return "/epochs" }, false},
		{"validators", func(int) string { return "/validators" }, true},
		{"search (height)", func(i int) string { return fmt.Sprintf("/api/search?q=%d", 1+i) }, false},
		{"map, world (hexes)", func(int) string { return "/api/map?bbox=-180,-85,180,85&zoom=2" }, false},
		{"map, city (hexes)", func(int) string { return "/api/map?bbox=13.0,52.3,13.6,52.7&zoom=8" }, false},
		{"map, street (devices)", func(int) string { return "/api/map?bbox=13.2,52.45,13.22,52.46&zoom=15" }, false},
		{"market", func(int) string { return "/market" }, true},
		{"storage", func(int) string { return "/storage" }, true},
		{"storage deal", func(i int) string { return fmt.Sprintf("/storage/deals/%d", svc.deals[i%len(svc.deals)]) }, true},
		{"storage file", func(i int) string { return "/storage/files/" + svc.files[i%len(svc.files)] }, true},
		{"storage provider", func(i int) string { return "/storage/providers/" + svc.providers[i%len(svc.providers)] }, true},
		{"compute", func(int) string { return "/compute" }, true},
		{"compute job", func(i int) string { return fmt.Sprintf("/compute/jobs/%d", svc.jobs[i%len(svc.jobs)]) }, true},
		{"relay", func(int) string { return "/relay" }, true},
		{"relay relay", func(i int) string { return "/relay/relays/" + svc.providers[i%len(svc.providers)] }, true},
		{"energy", func(int) string { return "/energy" }, true},
		{"energy clearing", func(int) string { return svc.clearing }, true},
	}
	for _, p := range pages {
		if p.state {
			// A node query that fails is a short page, not a fast one.
			if err := stateAnswered(client, base+"/api"+p.path(0)); err != nil {
				return nil, err
			}
		}
		ms, size, err := p95(p.path)
		if err != nil {
			return nil, err
		}
		note := fmt.Sprintf("target < 200 ms; %d bytes", size)
		if p.state {
			note += "; node state read in process"
		}
		rep.Rows = append(rep.Rows, Row{Name: "p95 " + p.name, Figure: ms, Unit: "ms", Baseline: static, BaselineName: "static file, same server",
			Note: note})
	}
	return rep, nil
}

// stateAnswered fetches a module page's JSON and fails unless the node
// answered every query the page made.
func stateAnswered(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var page struct {
		StateError string `json:"state_error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: GET %s: status %d: %v", url, resp.StatusCode, err)
	}
	if page.StateError != "" {
		return fmt.Errorf("bench: GET %s: %s", url, page.StateError)
	}
	return nil
}

// benchServices are the service modules' state the bench's module pages
// read: ids and addresses to ask for.
type benchServices struct {
	deals     []uint64
	files     []string
	providers []string
	jobs      []uint64
	clearing  string // an energy clearing's page
}

// makeServices gives the chain's service modules devnet-sized state
// before its devices, in the transactions clients send: accounts 4-7 are
// market, relay and compute providers; account 3 is the compute verifier
// the authority (account 0) names; accounts 0-3 store 12 files of two
// shards with two different providers each (24 deals, so the storage page
// reads its full 20 deals and four providers); four compute jobs; and
// two energy meters' ask and bid in one zone's coming interval.
func makeServices(c *indexertest.Chain) (*benchServices, error) {
	svc := &benchServices{}
	var txs [][]byte
	for p := 4; p < 8; p++ {
		host := fmt.Sprintf("http://127.0.0.1:1/%d", p)
		txs = append(txs, c.Msg(p, market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: host}),
			c.Msg(p, relay.TypeRegister, &relayv1.MsgRegister{HostUri: host}), c.Msg(p, compute.TypeRegister, &computev1.MsgRegister{Bond: 2_000_000}))
		svc.providers = append(svc.providers, c.Account(p).String())
	}
	verifier := c.Account(3)
	txs = append(txs, c.Msg(0, compute.TypeSetVerifier, &computev1.MsgSetVerifier{Verifier: verifier[:]}))
	if _, err := c.Commit(false, txs...); err != nil {
		return nil, err
	}
	for f := range 12 {
		m, err := indexertest.StorageFile(f)
		if err != nil {
			return nil, err
		}
		cid := m.CID()
		svc.files = append(svc.files, storage.FormatCID(cid))
		for shard := range uint32(2) {
			id, err := c.StorageDeal(f%4, 4+(f+int(shard))%4, m, shard)
			if err != nil {
				return nil, err
			}
			svc.deals = append(svc.deals, id)
		}
	}
	for owner := range 4 {
		id, err := c.SubmitJob(owner, 4)
		if err != nil {
			return nil, err
		}
		svc.jobs = append(svc.jobs, id)
	}
	// Two energy meters (solar and load, devices past the coverage ones)
	// ask and bid for a coming interval: one open clearing with its book.
	cell := indexertest.CityCell(0)
	solar := kenergy.EncodeAttributes(&kenergyv1.Attributes{RatedPowerW: 5_000, BatteryWh: 10_000, MaxChargeW: 4_000, GridCell: cell, FeederId: 1, Renewable: true})
	load := kenergy.EncodeAttributes(&kenergyv1.Attributes{RatedPowerW: 10_000, GridCell: cell, FeederId: 1})
	seller, buyer := indexertest.Device(meterDevice), indexertest.Device(meterDevice+1)
	for _, txs := range [][][]byte{
		{c.OnboardKind(1, meterDevice, kenergy.Name), c.OnboardKind(2, meterDevice+1, kenergy.Name)},
		{c.LocateWith(1, meterDevice, cell, solar), c.LocateWith(2, meterDevice+1, cell, load)},
	} {
		if _, err := c.Commit(false, txs...); err != nil {
			return nil, err
		}
	}
	iv := uint64(c.Time()/1e9)/kenergy.IntervalSeconds.Default + 2
	if _, err := c.Commit(false, c.Msg(1, energy.TypeAsk, &energyv1.MsgAsk{Device: seller[:], Interval: iv, Wh: 500, Price: 100_000}),
		c.Msg(2, energy.TypeBid, &energyv1.MsgBid{Device: buyer[:], Interval: iv, Wh: 400, Price: 150_000})); err != nil {
		return nil, err
	}
	z, _ := kenergy.Zone(cell, kenergy.ZoneResolution.Default)
	svc.clearing = fmt.Sprintf("/energy/clearings/%s/%d", energy.ZoneString(z), iv)
	return svc, nil
}

// meterDevice is the first energy meter's device number, past any
// coverage device the bench onboards.
const meterDevice = 1 << 30
