package bench

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/store"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// childHomeEnv names the home a child process of TestGenesisKilledMidway
// runs a node on until it is killed.
const childHomeEnv = "DEPIN_BENCH_GENESIS_CHILD_HOME"

// TestGenesisChild is the child process of TestGenesisKilledMidway: a node
// importing a large genesis. It does nothing in a normal test run.
func TestGenesisChild(t *testing.T) {
	home := os.Getenv(childHomeEnv)
	if home == "" {
		t.Skip("only runs as the child of TestGenesisKilledMidway")
	}
	fn, err := startFleetNode(context.Background(), home, fleetModule(), false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer fn.stop()
	time.Sleep(10 * time.Minute) // killed long before
}

// TestGenesisKilledMidway starts a node importing 200,000 genesis devices in
// a child process, kills it with SIGKILL once several genesis pieces are on
// disk, and checks that the state is left at height 0 with the genesis
// marked pending; then it starts the node again on the same home in this
// process and requires the chain to go on with every device registered and
// active, and block 1 to carry the same genesis app hash as the in-memory
// backend computes for the same genesis.
func TestGenesisKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 200,000 devices twice")
	}
	const devices = 200_000
	cfg := DefaultMemoryConfig()
	cfg.Devices, cfg.Transfers, cfg.BlockTime = devices, 1, 10*time.Millisecond
	home, _, err := memoryHome(nodeDir(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestGenesisChild$", "-test.count=1")
	child.Env = append(os.Environ(), childHomeEnv+"="+home)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(home, "data", "state")
	deadline := time.Now().Add(2 * time.Minute)
	for dirSize(state) < 16<<20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	t.Logf("killed the importing node with %d MiB of state on disk", dirSize(state)>>20)

	db, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := db.LastCommit()
	pending := db.PendingGenesis()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if h != 0 || !pending {
		t.Fatalf("after the kill: got height %d, pending genesis %v; want 0 and true (killed mid-genesis)", h, pending)
	}

	want := memGenesisHash(t, home)
	fn, err := startFleetNode(context.Background(), home, fleetModule(), false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer fn.stop()
	c := newRPCClient(fn.rpc, 1)
	if _, err := c.waitHeight(context.Background(), 3, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	var blk struct {
		Block struct {
			Header struct {
				AppHash string `json:"app_hash"`
			} `json:"header"`
		} `json:"block"`
	}
	if err := c.call(context.Background(), "block", map[string]any{"height": "1"}, &blk); err != nil {
		t.Fatal(err)
	}
	if got := blk.Block.Header.AppHash; !strings.EqualFold(got, hex.EncodeToString(want)) {
		t.Fatalf("got genesis app hash %s in block 1, want %X", got, want)
	}
	if fn.db.PendingGenesis() {
		t.Errorf("got a pending genesis after block 1, want none")
	}
	mk, _ := device.GetMaker(fn.app.Committed(), ledger.AddressOf(benchMakerPub[:]))
	active := 0
	device.ActiveDevices(fn.app.Committed(), func(*devicev1.Device) bool { active++; return true })
	if mk.Devices != devices || active != devices {
		t.Errorf("got %d devices registered and %d active, want %d", mk.Devices, active, devices)
	}
}

// memGenesisHash computes the genesis app hash of home's genesis over the
// in-memory backend.
func memGenesisHash(t *testing.T, home string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ChainID  string          `json:"chain_id"`
		AppState json.RawMessage `json:"app_state"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	a := app.New(app.NewMemBackend(), append(chain.Modules(), fleetModule())...)
	h, err := a.InitChain(doc.ChainID, doc.AppState)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
