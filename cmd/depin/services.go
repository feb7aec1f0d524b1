package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/dataservice"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/oracle"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage/provider"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// addServices attaches the off-chain services enabled in app.toml. Each is
// built once here, so that a configuration error stops the start, and again
// by the node's supervisor after a failure.
func addServices(n *node.Node, logger *slog.Logger) error {
	if n.AppCfg.API.Enable {
		build := func() (node.Service, error) {
			srv := api.New(api.Config{Listen: n.AppCfg.API.Listen, CORSAllowedOrigins: n.AppCfg.API.CORSAllowedOrigins}, n.APISource(), logger.With("module", "api"))
			srv.Handle("/metrics", promhttp.HandlerFor(n.Metrics.Registry(), promhttp.HandlerOpts{}))
			return srv, nil
		}
		svc, _ := build()
		n.AddService("api", svc, build)
	}
	var tap func([]*reportv1.Report)
	if n.AppCfg.Ingest.Enable && n.AppCfg.Data.Enable {
		tap = addDataService(n, logger.With("module", "data"))
	}
	if n.AppCfg.Ingest.Enable {
		ic := n.AppCfg.Ingest
		key, err := nodeKey(n.Home, ic.KeyringBackend, ic.OperatorKey)
		if err != nil {
			return fmt.Errorf("ingest: operator key %q: %w", ic.OperatorKey, err)
		}
		build := func() (node.Service, error) { return newIngest(n, key, tap, logger.With("module", "ingest")) }
		svc, err := build()
		if err != nil {
			return err
		}
		n.AddService("ingest", svc, build)
	}
	if n.AppCfg.Oracle.Enable {
		oc := n.AppCfg.Oracle
		key, err := nodeKey(n.Home, oc.KeyringBackend, oc.Key)
		if err != nil {
			return fmt.Errorf("oracle: key %q: %w", oc.Key, err)
		}
		build := func() (node.Service, error) { return newOracle(n, key, logger.With("module", "oracle")) }
		svc, err := build()
		if err != nil {
			return err
		}
		n.AddService("oracle", svc, build)
	}
	if n.AppCfg.StorageProvider.Enable {
		if err := addStorageProvider(n, logger.With("module", "storage-provider")); err != nil {
			return err
		}
	}
	return addIndexer(n, logger.With("module", "indexer"))
}

// addStorageProvider runs the storage provider of app.toml's
// [storage_provider] inside the node, against the node's own RPC.
func addStorageProvider(n *node.Node, logger *slog.Logger) error {
	sc := n.AppCfg.StorageProvider
	key, err := nodeKey(n.Home, sc.KeyringBackend, sc.Key)
	if err != nil {
		return fmt.Errorf("storage provider: key %q: %w", sc.Key, err)
	}
	build := func() (node.Service, error) {
		c, err := client.New(n.RPCURL())
		if err != nil {
			return nil, err
		}
		cfg := provider.DefaultConfig()
		cfg.Dir, cfg.Listen, cfg.HostURI, cfg.Capacity, cfg.Price, cfg.Poll = sc.Dir, sc.Listen, sc.HostURI, sc.CapacityBytes, sc.Price, sc.Poll
		if !filepath.IsAbs(cfg.Dir) {
			cfg.Dir = filepath.Join(n.Home, cfg.Dir)
		}
		cfg.Fee = params.Get(n.App.Committed(), bank.MinFee)
		cfg.Collateral = sc.Collateral
		if cfg.Collateral == 0 {
			cfg.Collateral = params.Get(n.App.Committed(), market.MinCollateral)
		}
		return provider.New(cfg, key, c, logger)
	}
	svc, err := build()
	if err != nil {
		return err
	}
	n.AddService("storage-provider", svc, build)
	return nil
}

// nodeKey loads a service's key from the home's keyring.
func nodeKey(home, backend, name string) (sig.PrivateKey, error) {
	kr, err := keyring.Open(keyring.Dir(home), backend, keyring.Sources(keyring.EnvPassphrase, "", keyring.NewPrompter(os.Stdin, os.Stderr)))
	if err != nil {
		return nil, err
	}
	return kr.PrivateKey(name)
}

// newOracle builds the oracle over the node's own state, reading segments
// from ingest and submitting roots with the oracle key.
func newOracle(n *node.Node, key sig.PrivateKey, logger *slog.Logger) (*oracle.Service, error) {
	oc := n.AppCfg.Oracle
	cfg := oc.Service
	if len(cfg.CORSAllowedOrigins) == 0 {
		cfg.CORSAllowedOrigins = n.AppCfg.API.CORSAllowedOrigins
	}
	if !filepath.IsAbs(cfg.DataDir) {
		cfg.DataDir = filepath.Join(n.Home, cfg.DataDir)
	}
	rpc, err := client.New(n.RPCURL())
	if err != nil {
		return nil, err
	}
	ingestURL := oc.IngestURL
	if ingestURL == "" {
		ingestURL = "http://" + n.AppCfg.Ingest.Service.ListenAddr
	}
	fee := params.Get(n.App.Committed(), bank.MinFee)
	led := &oracle.NodeLedger{State: n.App, Client: rpc, Key: key, Fee: fee}
	src := replay.NewHTTPSource("", ingestURL)
	// Segments are the oracles' before they are public: sign for them.
	src.Sign = func(r *http.Request) { ingest.SignSegmentRequest(r, key, time.Now()) }
	return oracle.New(cfg, led, src, chain.Kinds(), geo.H3{}, logger)
}

// newIngest builds the ingest service over the node's own chain state,
// committing segments with the operator key from the home's keyring.
func newIngest(n *node.Node, key sig.PrivateKey, tap func([]*reportv1.Report), logger *slog.Logger) (*ingest.Service, error) {
	cfg := n.AppCfg.Ingest.Service
	if !filepath.IsAbs(cfg.DataDir) {
		cfg.DataDir = filepath.Join(n.Home, cfg.DataDir)
	}
	rpc, err := client.New(n.RPCURL())
	if err != nil {
		return nil, err
	}
	view := node.ChainView{App: n.App}
	committer := &node.SegmentCommitter{RPC: rpc, Key: key, App: n.App}
	return ingest.New(cfg, ingest.Deps{Oracles: view, Registry: view, Kinds: chain.Kinds(), Entropy: view, Epochs: view, Committer: committer, Tap: tap}, logger)
}

// addDataService runs the data service of app.toml's [data] and returns
// the tap ingest feeds it through. A data service that cannot listen is
// logged and left out: it never stops the node.
func addDataService(n *node.Node, logger *slog.Logger) func([]*reportv1.Report) {
	rpc, err := client.New(n.RPCURL())
	if err != nil {
		logger.Warn("data service disabled", "err", err)
		return nil
	}
	var cur atomic.Pointer[dataservice.Service]
	build := func() (node.Service, error) {
		ds, err := dataservice.New(n.AppCfg.Data.Service, dataservice.ChainGrants{Query: rpc.Query}, nil, logger)
		if err != nil {
			return nil, err
		}
		if err := ds.Listen(); err != nil {
			return nil, err
		}
		cur.Store(ds)
		return ds, nil
	}
	svc, err := build()
	if err != nil {
		logger.Warn("data service disabled", "err", err)
		return nil
	}
	n.AddService("data", svc, build)
	return func(rs []*reportv1.Report) {
		if ds := cur.Load(); ds != nil {
			ds.Tap(rs)
		}
	}
}
