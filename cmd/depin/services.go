package main

import (
	"log/slog"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/node"
)

// addServices attaches the off-chain services enabled in app.toml.
func addServices(n *node.Node, logger *slog.Logger) {
	if n.AppCfg.API.Enable {
		n.AddService(api.New(api.Config{Listen: n.AppCfg.API.Listen}, n.App, logger.With("module", "api")))
	}
}
