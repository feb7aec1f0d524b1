package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/coverage"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/oracle"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
)

// addServices attaches the off-chain services enabled in app.toml.
func addServices(n *node.Node, logger *slog.Logger) error {
	if n.AppCfg.API.Enable {
		n.AddService(api.New(api.Config{Listen: n.AppCfg.API.Listen}, n.App, logger.With("module", "api")))
	}
	if n.AppCfg.Ingest.Enable {
		svc, err := newIngest(n, logger.With("module", "ingest"))
		if err != nil {
			return err
		}
		n.AddService(svc)
	}
	if n.AppCfg.Oracle.Enable {
		svc, err := newOracle(n, logger.With("module", "oracle"))
		if err != nil {
			return err
		}
		n.AddService(svc)
	}
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
func newOracle(n *node.Node, logger *slog.Logger) (*oracle.Service, error) {
	oc := n.AppCfg.Oracle
	cfg := oc.Service
	if !filepath.IsAbs(cfg.DataDir) {
		cfg.DataDir = filepath.Join(n.Home, cfg.DataDir)
	}
	key, err := nodeKey(n.Home, oc.KeyringBackend, oc.Key)
	if err != nil {
		return nil, fmt.Errorf("oracle: key %q: %w", oc.Key, err)
	}
	var region coverage.Region
	if err := region.UnmarshalText([]byte(oc.Region)); err != nil {
		return nil, fmt.Errorf("oracle: region %q: %w", oc.Region, err)
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
	led := &oracle.NodeLedger{State: n.App, Client: rpc, Key: key, Fee: fee, Region: region}
	return oracle.New(cfg, led, oracle.NewHTTPSource("", ingestURL), geo.H3{}, logger)
}

// newIngest builds the ingest service over the node's own chain state,
// committing segments with the operator key from the home's keyring.
func newIngest(n *node.Node, logger *slog.Logger) (*ingest.Service, error) {
	ic := n.AppCfg.Ingest
	cfg := ic.Service
	if !filepath.IsAbs(cfg.DataDir) {
		cfg.DataDir = filepath.Join(n.Home, cfg.DataDir)
	}
	key, err := nodeKey(n.Home, ic.KeyringBackend, ic.OperatorKey)
	if err != nil {
		return nil, fmt.Errorf("ingest: operator key %q: %w", ic.OperatorKey, err)
	}
	rpc, err := client.New(n.RPCURL())
	if err != nil {
		return nil, err
	}
	view := node.ChainView{App: n.App}
	committer := &node.SegmentCommitter{RPC: rpc, Key: key, App: n.App}
	return ingest.New(cfg, ingest.Deps{Registry: view, Entropy: view, Epochs: view, Committer: committer}, logger)
}
