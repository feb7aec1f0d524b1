package coverage_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/depin-network/depin/agent"
	"github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind"
	kcov "github.com/depin-network/depin/internal/kind/coverage"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// startIngest runs the real ingest service in-process on 127.0.0.1 with an
// embedded JetStream log, a chain of 20 blocks and the given devices
// registered.
func startIngest(t *testing.T, devices ...*agent.Key) *ingest.Service {
	t.Helper()
	cfg := ingest.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.Rate, cfg.Burst = 1000, 1000
	reg := ingest.NewMemRegistry()
	for _, k := range devices {
		reg.Put(k.PubKey(), ingest.DeviceInfo{})
	}
	chain := ingest.NewMemEntropy()
	for h := range 20 {
		sum := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("agent-e2e"), uint64(h)))
		chain.Append(sum[:])
	}
	svc, err := ingest.New(cfg, ingest.Deps{Registry: reg, Kinds: kind.NewRegistry(kcov.Kind{}), Entropy: chain, Epochs: ingest.FixedEpochs{Length: 1000}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("ingest.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ingest Run: %v", err)
		}
		svc.Close()
	})
	return svc
}

// tally counts a device's outcomes by report kind and status.
type tally struct {
	mu     sync.Mutex
	counts map[string]int // "kind/status"
	errs   []error
}

func (tl *tally) add(r agent.Result) {
	kind := "?"
	if rep, err := agent.VerifyReport(r.Report); err == nil {
		kind = rep.GetType()
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if r.Err != nil {
		tl.errs = append(tl.errs, r.Err)
		return
	}
	st := r.Status
	switch {
	case r.Accepted():
		st = ingestv1.Status_STATUS_ACCEPTED
	case st == ingestv1.Status_STATUS_REPLAY && r.Attempts > 1:
		return // sent again after a stop mid-send: it may have landed the first time
	}
	tl.counts[kind+"/"+st.String()]++
}

func (tl *tally) get(kind string, st ingestv1.Status) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.counts[kind+"/"+st.String()]
}

func (tl *tally) snapshot() map[string]int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	out := make(map[string]int, len(tl.counts))
	for k, v := range tl.counts {
		out[k] = v
	}
	return out
}

// device is one agent under test: files, radio and outcomes.
type device struct {
	key   *agent.Key
	cfg   coverage.Config
	radio *coverage.SimRadio
	tally *tally
}

func newDevice(t *testing.T, m *coverage.SimMedium, seed byte, latE7 int64, ingestAddr string) *device {
	t.Helper()
	dir := t.TempDir()
	var s [32]byte
	s[0] = seed
	key, err := agent.KeyFromSeed(s[:])
	if err != nil {
		t.Fatal(err)
	}
	cfg := coverage.DefaultConfig()
	cfg.KeyFile = filepath.Join(dir, "key.json")
	cfg.StateFile = filepath.Join(dir, "state.json")
	cfg.NonceBlock = 2 // restarts skip nonces often
	cfg.Region = coverage.RegionEU868
	cfg.Cell = 0x8c1f1d4a8c8a9ff
	cfg.BeaconInterval = 150 * time.Millisecond
	cfg.HeartbeatInterval = 100 * time.Millisecond
	cfg.EntropyRefresh = 100 * time.Millisecond
	cfg.Ingest.URL = "http://" + ingestAddr
	cfg.Ingest.FlushInterval = 10 * time.Millisecond
	cfg.Ingest.InitialBackoff = time.Millisecond
	cfg.Ingest.MaxBackoff = 10 * time.Millisecond
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := agent.SaveKey(cfg.KeyFile, "dev", key); err != nil {
		t.Fatal(err)
	}
	radio, err := m.Join(coverage.SimPlacement{ID: key.Address().String(), LatE7: latE7, Region: coverage.RegionEU868})
	if err != nil {
		t.Fatal(err)
	}
	return &device{key: key, cfg: cfg, radio: radio, tally: &tally{counts: map[string]int{}}}
}

// run runs the device with Run until stop is called.
func (d *device) run(t *testing.T, protocol string) (stop func()) {
	t.Helper()
	d.cfg.Ingest.Protocol = protocol
	client, err := agent.NewClient(d.cfg.Ingest, agent.ClientOptions{OnResult: d.tally.add, Logger: d.cfg.Logger})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- coverage.Run(ctx, d.cfg, d.radio, client) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// waitFor polls cond until it holds, for at most 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestEndToEnd runs two registered devices 2 km apart and one unregistered
// device on one simulated medium against the real ingest service, then
// restarts a device on its state file.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts ingest with an embedded NATS server")
	}
	m := coverage.NewSimMedium(coverage.DefaultSimConfig(), nil)
	var keys [3]*agent.Key
	for i := range keys {
		var s [32]byte
		s[0] = byte(i + 1)
		keys[i], _ = agent.KeyFromSeed(s[:])
	}
	svc := startIngest(t, keys[0], keys[1])
	a := newDevice(t, m, 1, 0, svc.Addr())
	b := newDevice(t, m, 2, 180_000, svc.Addr())
	stranger := newDevice(t, m, 3, 90_000_000, svc.Addr()) // ~1000 km away
	const accepted = ingestv1.Status_STATUS_ACCEPTED

	stopA, stopB := a.run(t, agent.ProtocolConnect), b.run(t, agent.ProtocolGRPC)
	stopS := stranger.run(t, agent.ProtocolJSON)
	waitFor(t, "beacons, witnesses and heartbeats of both devices", func() bool {
		for _, d := range []*device{a, b} {
			for _, kind := range []string{"beacon", "witness", "heartbeat"} {
				if d.tally.get(kind, accepted) == 0 {
					return false
				}
			}
		}
		return stranger.tally.get("heartbeat", ingestv1.Status_STATUS_UNKNOWN_DEVICE) > 0
	})
	stopS()
	stopB()
	stopA()
	for _, d := range []*device{a, b} {
		for k, n := range d.tally.snapshot() {
			if k != "beacon/"+accepted.String() && k != "witness/"+accepted.String() && k != "heartbeat/"+accepted.String() {
				t.Errorf("device %s: got %d %s, want only accepted reports", d.key.Address(), n, k)
			}
		}
		if len(d.tally.errs) > 0 {
			t.Errorf("device %s: batch errors %v", d.key.Address(), errors.Join(d.tally.errs...))
		}
	}
	for k := range stranger.tally.snapshot() {
		if k != "heartbeat/"+ingestv1.Status_STATUS_UNKNOWN_DEVICE.String() && k != "beacon/"+ingestv1.Status_STATUS_UNKNOWN_DEVICE.String() {
			t.Errorf("unregistered device: got %s, want only UNKNOWN_DEVICE", k)
		}
	}

	// Restart device a on the same state file: its nonces keep rising, so
	// ingest accepts its reports (a reused nonce would be a REPLAY).
	before := a.tally.get("heartbeat", accepted)
	stopA = a.run(t, agent.ProtocolJSON)
	waitFor(t, "heartbeats after the restart", func() bool { return a.tally.get("heartbeat", accepted) >= before+2 })
	stopA()
	for k, n := range a.tally.snapshot() {
		if k == "heartbeat/"+ingestv1.Status_STATUS_REPLAY.String() || k == "beacon/"+ingestv1.Status_STATUS_REPLAY.String() {
			t.Errorf("after restart: got %d %s", n, k)
		}
	}
}
