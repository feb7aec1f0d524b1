package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// flaky fails its first failures runs (the last by panicking), then runs
// until ctx ends. It counts runs and closes.
type flaky struct {
	failures int32
	runs     *atomic.Int32
	closes   *atomic.Int32
}

func (f *flaky) Run(ctx context.Context) error {
	n := f.runs.Add(1)
	switch {
	case n < f.failures:
		return fmt.Errorf("run %d: poisoned", n)
	case n == f.failures:
		panic("run panicked")
	}
	<-ctx.Done()
	return nil
}

func (f *flaky) Close() error { f.closes.Add(1); return nil }

var fastSupervision = Supervision{RestartMin: time.Millisecond, RestartMax: 4 * time.Millisecond, RestartHealthy: time.Hour}

func TestSuperviseRestartsFailedService(t *testing.T) {
	var runs, closes, builds atomic.Int32
	first := &flaky{failures: 4, runs: &runs, closes: &closes}
	rebuild := func() (Service, error) {
		if builds.Add(1) == 2 {
			return nil, errors.New("rebuild failed once")
		}
		return first, nil // the same counters: one logical service
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var restarts atomic.Int32
	go func() {
		supervise(ctx, supervised{name: "flaky", svc: first, rebuild: rebuild}, fastSupervision, slog.New(slog.DiscardHandler), func() { restarts.Add(1) })
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for runs.Load() < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("service ran %d times, want 5 (3 errors, a panic, then a healthy run)", runs.Load())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if got := closes.Load(); got != 5 {
		t.Errorf("closed %d times, want once per run (5)", got)
	}
	if got := builds.Load(); got != 5 {
		t.Errorf("rebuilt %d times, want 5 (one failed rebuild, then one per restart)", got)
	}
	if got := restarts.Load(); got != 5 {
		t.Errorf("counted %d restarts, want 5", got)
	}
}

func TestSuperviseFinishedServiceStays(t *testing.T) {
	var runs atomic.Int32
	svc := runFunc(func(context.Context) error { runs.Add(1); return nil })
	supervise(context.Background(), supervised{name: "once", svc: svc}, fastSupervision, slog.New(slog.DiscardHandler), nil)
	if runs.Load() != 1 {
		t.Fatalf("a service that finished ran %d times, want 1", runs.Load())
	}
}

type runFunc func(context.Context) error

func (f runFunc) Run(ctx context.Context) error { return f(ctx) }

// TestFailingServiceDoesNotStopConsensus is issue 8 item 2's regression
// test for the node: a service that fails on every run (as ingest did on a
// poison message, which made node.Run stop consensus) is restarted with
// backoff while the chain keeps producing blocks.
func TestFailingServiceDoesNotStopConsensus(t *testing.T) {
	home := filepath.Join(t.TempDir(), "node")
	rpc, p2p := freePort(t), freePort(t)
	key := sig.KeyFromSeed(make([]byte, 32))
	addr := ledger.AddressOf(sig.PublicOf(key)).String()
	ac := DefaultAppConfig()
	ac.API.Enable = false
	err := Init(home, InitOptions{ChainID: "depin-supervise", Genesis: app.Genesis{Denom: "upin", Decimals: 6, Authority: addr,
		Balances: []app.GenesisBalance{{Address: addr, Amount: 1}}}, App: ac,
		Comet: func(c *cmtcfg.Config) {
			c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpc)
			c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2p)
			c.Consensus.TimeoutCommit = 50 * time.Millisecond
		}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := Open(home, Overrides{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	n.Supervision = Supervision{RestartMin: 10 * time.Millisecond, RestartMax: 40 * time.Millisecond, RestartHealthy: time.Hour}
	var runs atomic.Int32
	poisoned := runFunc(func(context.Context) error {
		runs.Add(1)
		return errors.New("ingest: batcher: log message 7: decode log batch")
	})
	n.AddService("poisoned", poisoned, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h, _ := n.App.LastCommit()
		if h >= 5 && n.Restarts() >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("after 60s: height %d, %d restarts; want height 5 and 3 restarts with a failing service", h, n.Restarts())
		}
		select {
		case err := <-done:
			t.Fatalf("node stopped with a failing service: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if runs.Load() < 3 {
		t.Errorf("the failing service ran %d times, want at least 3", runs.Load())
	}
}
