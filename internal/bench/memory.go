package bench

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/store"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// MemoryConfig sizes the memory benchmark.
type MemoryConfig struct {
	// Devices are onboarded in genesis, with asserted locations.
	Devices int
	// Blocks are committed after genesis, and again after the restart,
	// before measuring.
	Blocks int
	// Transfers are signed bank transfers (from up to 1,000 senders) the
	// restarted node commits before it is measured.
	Transfers int
	// BlockTime is timeout_commit.
	BlockTime time.Duration
	// Dir holds the node home (a temporary directory when empty).
	Dir string
	// Logger receives the node's errors (discarded when nil).
	Logger *slog.Logger
	// HeapProfile, when set, receives a heap profile of the importing node
	// after its blocks, and HeapProfile+".restart" one of the restarted
	// node at the end.
	HeapProfile string
}

// DefaultMemoryConfig is the configuration of `depin bench memory`.
func DefaultMemoryConfig() MemoryConfig {
	return MemoryConfig{Devices: 1_000_000, Blocks: 20, Transfers: 5_000, BlockTime: 100 * time.Millisecond}
}

// MemorySample is the process's memory at one point. Sizes are bytes.
type MemorySample struct {
	// RSS is VmRSS; Peak is VmHWM (since the start, or since the last
	// reset of the peak); RSSFreed is VmRSS after the Go runtime returned
	// its freed heap to the OS (debug.FreeOSMemory); HeapInuse is the Go
	// heap in use after that collection: what is live.
	RSS, Peak, RSSFreed, HeapInuse uint64
	// RSSAnon and RSSFile split RSSFreed into anonymous memory (Go heap,
	// C allocations, stacks) and mapped files (the binary's pages).
	RSSAnon, RSSFile uint64
	// Pebble is what the state store holds outside the Go heap.
	Pebble store.Memory
}

// MemoryRun is the outcome of the memory benchmark. Sizes are bytes.
type MemoryRun struct {
	Devices int
	// Registered is the maker's device count in committed state after the
	// import; Active counts the active devices a full scan of the
	// restarted node's state visits (what an oracle does each epoch).
	Registered uint64
	Active     int
	// TransfersOK counts the transfers the restarted node committed with
	// code 0.
	TransfersOK int
	Genesis     time.Duration
	// Import is the node that wrote genesis, after its blocks; its Peak
	// covers the genesis import.
	Import MemorySample
	// Stopped is VmRSS with the node stopped, after FreeOSMemory: what the
	// process keeps of the first node.
	Stopped uint64
	// Restart is a new node on the same state, after its transfers, the
	// scan and its blocks. Its Peak covers only the restart when PeakReset.
	Restart   MemorySample
	PeakReset bool
	StateDisk uint64
}

// RunMemory measures what a node with cfg.Devices registered devices holds.
// A one-validator node (wired as node.Open wires one) imports the devices
// in genesis and commits cfg.Blocks blocks; it is stopped, the process's
// peak is reset, and a new node is started on the same state, as after a
// restart. That node commits cfg.Transfers transfers, scans every device
// and commits cfg.Blocks more blocks. Memory is read from /proc/self/status
// after each phase. The figures cover the whole process, so run it alone.
func RunMemory(ctx context.Context, cfg MemoryConfig) (*Report, MemoryRun, error) {
	run := MemoryRun{Devices: cfg.Devices}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "depin-bench-memory-")
		if err != nil {
			return nil, run, fmt.Errorf("bench: memory: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	home, load, err := memoryHome(dir, cfg)
	if err != nil {
		return nil, run, err
	}
	height, err := memoryImport(ctx, cfg, home, &run)
	if err != nil {
		return nil, run, fmt.Errorf("bench: memory: import: %w", err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	if st, err := procStatus(); err == nil {
		run.Stopped = st["VmRSS"]
	}
	run.PeakReset = resetPeak() == nil
	if err := memoryRestart(ctx, cfg, home, height, load, &run); err != nil {
		return nil, run, fmt.Errorf("bench: memory: restart: %w", err)
	}
	run.StateDisk = dirSize(filepath.Join(home, "data", "state"))
	switch {
	case run.Registered != uint64(cfg.Devices):
		return nil, run, fmt.Errorf("bench: memory: got %d devices registered, want %d", run.Registered, cfg.Devices)
	case run.Active != cfg.Devices:
		return nil, run, fmt.Errorf("bench: memory: got %d active devices after the restart, want %d", run.Active, cfg.Devices)
	case cfg.Transfers > 0 && run.TransfersOK != cfg.Transfers:
		return nil, run, fmt.Errorf("bench: memory: got %d transfers committed with code 0, want %d", run.TransfersOK, cfg.Transfers)
	}
	return memoryReport(cfg, run), run, nil
}

// memoryHome writes a one-validator home under dir whose genesis funds the
// senders of the transfer load and onboards cfg.Devices devices.
func memoryHome(dir string, cfg MemoryConfig) (string, *Load, error) {
	load, err := NewTransferLoad(benchChainID, max(1, cfg.Transfers), 1000)
	if err != nil {
		return "", nil, err
	}
	g := load.Genesis
	dg, _ := json.Marshal(chain.DeviceGenesis{Makers: []chain.GenesisMaker{{Name: "benchmaker", PubKey: hex.EncodeToString(benchMakerPub[:]), Kinds: []string{"coverage"}}}})
	fg, _ := json.Marshal(fleetGenesis{Devices: cfg.Devices})
	g.Modules = map[string]json.RawMessage{"device": dg, "benchfleet": fg}
	homes, err := initHomes(dir, benchChainID, 1, g, cfg.BlockTime)
	if err != nil {
		return "", nil, fmt.Errorf("bench: memory: init: %w", err)
	}
	return homes[0], load, nil
}

// memoryImport runs the node that imports genesis until cfg.Blocks blocks
// after it, samples memory, stops the node and returns its height.
func memoryImport(ctx context.Context, cfg MemoryConfig, home string, run *MemoryRun) (int64, error) {
	t0 := time.Now()
	fn, err := startFleetNode(ctx, home, fleetModule(), false, cfg.Logger)
	if err != nil {
		return 0, err
	}
	c := newRPCClient(fn.rpc, 1)
	if _, err := c.waitHeight(ctx, 1, 30*time.Minute); err != nil {
		fn.stop()
		return 0, err
	}
	run.Genesis = time.Since(t0)
	h, err := c.waitHeight(ctx, int64(1+cfg.Blocks), 10*time.Minute)
	if err != nil {
		fn.stop()
		return 0, err
	}
	if mk, ok := device.GetMaker(fn.app.Committed(), ledger.AddressOf(benchMakerPub[:])); ok {
		run.Registered = mk.Devices
	}
	run.Import, err = sampleMemory(fn.db)
	if err == nil && cfg.HeapProfile != "" {
		err = writeHeapProfile(cfg.HeapProfile)
	}
	if serr := fn.stop(); serr != nil && err == nil {
		err = serr
	}
	return h, err
}

// memoryRestart starts a new node on the state the import left at height,
// commits the transfer load, scans every device, waits cfg.Blocks blocks,
// samples memory and stops the node.
func memoryRestart(ctx context.Context, cfg MemoryConfig, home string, height int64, load *Load, run *MemoryRun) error {
	fn, err := startFleetNode(ctx, home, fleetModule(), false, cfg.Logger)
	if err != nil {
		return err
	}
	err = func() error {
		c := newRPCClient(fn.rpc, 8)
		start, err := c.waitHeight(ctx, height+1, 10*time.Minute)
		if err != nil {
			return err
		}
		if cfg.Transfers > 0 {
			if err := submit(ctx, []*rpcClient{c}, load, 8); err != nil {
				return err
			}
			end, _, err := waitCommitted(ctx, c, start, cfg.Transfers, 10*time.Minute)
			if err != nil {
				return err
			}
			if run.TransfersOK, _, err = countOK(ctx, c, start, end); err != nil {
				return err
			}
		}
		device.ActiveDevices(fn.app.Committed(), func(*devicev1.Device) bool {
			run.Active++
			return true
		})
		h, err := c.height(ctx)
		if err != nil {
			return err
		}
		if _, err := c.waitHeight(ctx, h+int64(cfg.Blocks), 10*time.Minute); err != nil {
			return err
		}
		if run.Restart, err = sampleMemory(fn.db); err != nil {
			return err
		}
		if cfg.HeapProfile != "" {
			return writeHeapProfile(cfg.HeapProfile + ".restart")
		}
		return nil
	}()
	if serr := fn.stop(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// sampleMemory reads VmRSS and VmHWM, returns freed heap to the OS, and
// reads VmRSS, its parts, the live heap and db's memory.
func sampleMemory(db *store.DB) (MemorySample, error) {
	s := MemorySample{Pebble: db.Memory()}
	st, err := procStatus()
	if err != nil {
		return s, err
	}
	s.RSS, s.Peak = st["VmRSS"], st["VmHWM"]
	debug.FreeOSMemory()
	if st, err = procStatus(); err != nil {
		return s, err
	}
	s.RSSFreed, s.RSSAnon, s.RSSFile = st["VmRSS"], st["RssAnon"], st["RssFile"]
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.HeapInuse = m.HeapInuse
	return s, nil
}

func memoryReport(cfg MemoryConfig, run MemoryRun) *Report {
	mib := func(b uint64) float64 { return float64(b >> 20) }
	since := "since the restart"
	if !run.PeakReset {
		since = "since the process started (VmHWM could not be reset)"
	}
	return &Report{
		Title: fmt.Sprintf("memory: one-validator node with %d coverage devices onboarded in genesis; target <= 2048 MiB RSS", cfg.Devices),
		Rows: []Row{
			{Name: "import: peak RSS (VmHWM)", Figure: mib(run.Import.Peak), Unit: "MiB",
				Note: fmt.Sprintf("genesis of %d devices took %.1fs, then %d blocks", run.Registered, run.Genesis.Seconds(), cfg.Blocks)},
			{Name: "import: node RSS (VmRSS)", Figure: mib(run.Import.RSS), Unit: "MiB", Note: parts(run.Import)},
			{Name: "restart: peak RSS (VmHWM)", Figure: mib(run.Restart.Peak), Unit: "MiB",
				Note: fmt.Sprintf("%s; process with the first node stopped: %d MiB", since, run.Stopped>>20)},
			{Name: "restart: node RSS (VmRSS)", Figure: mib(run.Restart.RSS), Unit: "MiB",
				Note: fmt.Sprintf("after %d transfers (%d ok), a scan of %d active devices and %d blocks; %s; state on disk %d MiB",
					cfg.Transfers, run.TransfersOK, run.Active, cfg.Blocks, parts(run.Restart), run.StateDisk>>20)},
		},
	}
}

// parts describes what a sample's RSS is made of.
func parts(s MemorySample) string {
	return fmt.Sprintf("%d MiB after FreeOSMemory (anon %d, files %d); Go heap in use %d MiB; Pebble block cache %d MiB, memtables %d MiB",
		s.RSSFreed>>20, s.RSSAnon>>20, s.RSSFile>>20, s.HeapInuse>>20, s.Pebble.BlockCache>>20, s.Pebble.MemTables>>20)
}
