package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/node"
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
	return nil
}

// newIngest builds the ingest service over the node's own chain state,
// committing segments with the operator key from the home's keyring.
func newIngest(n *node.Node, logger *slog.Logger) (*ingest.Service, error) {
	ic := n.AppCfg.Ingest
	cfg := ic.Service
	if !filepath.IsAbs(cfg.DataDir) {
		cfg.DataDir = filepath.Join(n.Home, cfg.DataDir)
	}
	kr, err := keyring.Open(keyring.Dir(n.Home), ic.KeyringBackend, keyring.Sources(keyring.EnvPassphrase, "", keyring.NewPrompter(os.Stdin, os.Stderr)))
	if err != nil {
		return nil, fmt.Errorf("ingest: keyring: %w", err)
	}
	key, err := kr.PrivateKey(ic.OperatorKey)
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
