package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/sig"
)

// TestStorageProviderInsideNode enables [storage_provider] in app.toml of
// a devnet home and starts the node: the provider runs inside it and
// registers with the market at its configured address.
func TestStorageProviderInsideNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet node")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	home, err := os.MkdirTemp("", "depin-storage-node-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for i := 0; i < 20 && os.RemoveAll(home) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	}()
	if err := initDevnetWith(home, io.Discard, devnetOptions{fleets: []string{"storage"}}); err != nil {
		t.Fatal(err)
	}
	ac, err := node.LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	ac.API.Listen = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Ingest.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Oracle.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.StorageProvider.Enable, ac.StorageProvider.Key, ac.StorageProvider.KeyringBackend = true, "storage0", keyring.BackendTest
	ac.StorageProvider.Listen, ac.StorageProvider.Poll = listen, 200*time.Millisecond
	if err := node.WriteAppConfig(home, ac); err != nil {
		t.Fatal(err)
	}
	logs := &tailBuffer{}
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
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- n.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("node Run: %v", err)
		}
		if t.Failed() {
			t.Logf("log tail:\n%s", logs.Tail(40))
		}
	}()
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := kr.PrivateKey("storage0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ledger.AddressOf(sig.PublicOf(k))
	for {
		if p, ok := market.GetProvider(n.App.Committed(), addr); ok && p.HostUri == "http://"+listen {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the node's storage provider never registered at http://%s", listen)
		case <-time.After(300 * time.Millisecond):
		}
	}
}
