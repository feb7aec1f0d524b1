package main

import (
	"log/slog"

	"github.com/depin-network/depin/internal/node"
)

// addServices attaches the off-chain services enabled in app.toml.
func addServices(n *node.Node, logger *slog.Logger) {}
