package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/node"
)

// devnetHome initialises a devnet home with fleets in a temporary
// directory, removed when the test ends. The node may still flush its
// address book while stopping, so the removal retries rather than make
// t.TempDir's one attempt.
func devnetHome(t *testing.T, prefix string, fleets ...string) string {
	t.Helper()
	home, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 20 && os.RemoveAll(home) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := initDevnetWith(home, io.Discard, devnetOptions{fleets: fleets}); err != nil {
		t.Fatal(err)
	}
	return home
}

// openDevnetNode opens home's node with its services on free loopback
// ports (edit changes the app config further before it is written) and a
// logger into the returned tail buffer, for a test's failure output. It
// returns the app config as written.
func openDevnetNode(t *testing.T, home string, edit func(*node.AppConfig)) (*node.Node, node.AppConfig, *slog.Logger, *tailBuffer) {
	t.Helper()
	ac, err := node.LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	ac.API.Listen = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Ingest.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Oracle.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	if edit != nil {
		edit(&ac)
	}
	if err := node.WriteAppConfig(home, ac); err != nil {
		t.Fatal(err)
	}
	logs := &tailBuffer{max: 256 << 10}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	n, err := node.Open(home, node.Overrides{
		RPCListen: fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
	}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := addServices(n, logger); err != nil {
		t.Fatal(err)
	}
	return n, ac, logger, logs
}
