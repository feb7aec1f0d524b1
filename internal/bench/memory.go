package bench

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// MemoryConfig sizes the memory benchmark.
type MemoryConfig struct {
	// Devices are onboarded in genesis, with asserted locations.
	Devices int
	// Blocks are committed after genesis before measuring.
	Blocks int
	// BlockTime is timeout_commit.
	BlockTime time.Duration
	// Dir holds the node home (a temporary directory when empty).
	Dir string
	// Logger receives the node's errors (discarded when nil).
	Logger *slog.Logger
	// HeapProfile, when set, receives a heap profile of the running node
	// taken after the measurement.
	HeapProfile string
}

// DefaultMemoryConfig is the configuration of `depin bench memory`.
func DefaultMemoryConfig() MemoryConfig {
	return MemoryConfig{Devices: 1_000_000, Blocks: 20, BlockTime: 100 * time.Millisecond}
}

// MemoryRun is the outcome of the memory benchmark. Sizes are bytes.
type MemoryRun struct {
	Devices    int
	Registered uint64 // the maker's device count in committed state
	Genesis    time.Duration
	// RSS is VmRSS after the blocks; RSSScavenged after the Go runtime
	// returned freed heap to the OS (debug.FreeOSMemory); Peak is VmHWM,
	// genesis included.
	RSS, RSSScavenged, Peak uint64
	HeapInuse               uint64
	StateDisk               uint64
}

// benchMaker certifies the synthetic fleet.
var benchMakerPub = sha256.Sum256([]byte("depin/bench/maker"))

// fleetGenesis is the "benchfleet" genesis section.
type fleetGenesis struct {
	Devices int `json:"devices"`
}

// fleetModule onboards the synthetic fleet at genesis through
// device.InitGenesis, the same code path (and checks) as genesis devices:
// devices are coverage radios on the grid of NewFleet, asserted at
// resolution 12, owned by 1,000 owners. Genesis carries no signatures, so
// public keys are hashes, never used to sign.
func fleetModule() app.Module {
	return app.Module{Name: "benchfleet", InitGenesis: func(st ledger.Store, raw json.RawMessage) error {
		var g fleetGenesis
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		maker := ledger.AddressOf(benchMakerPub[:])
		side := 1
		for side*side < g.Devices {
			side++
		}
		rnd := lcg(42)
		const chunk = 10_000
		devs := make([]device.GenesisDevice, 0, chunk)
		for i := range g.Devices {
			cell, err := gridCell(i, side, &rnd)
			if err != nil {
				return err
			}
			pub := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/bench/memdev"), uint64(i)))
			devs = append(devs, device.GenesisDevice{PubKey: pub[:], Kind: devicev1.Kind_KIND_COVERAGE, Maker: maker,
				Serial: "sn-" + strconv.Itoa(i), Owner: fleetAddr("depin/bench/owner", i%1000),
				Location: &devicev1.Location{Cell: cell, Gain: 12, Elevation: 5}})
			if len(devs) == chunk || i == g.Devices-1 {
				if err := device.InitGenesis(st, nil, devs); err != nil {
					return err
				}
				devs = devs[:0]
			}
		}
		return nil
	}}
}

// RunMemory starts a one-validator node whose genesis onboards cfg.Devices
// devices, lets it commit cfg.Blocks blocks and reads the process's
// resident memory from /proc/self/status. The figure covers the whole
// process, so run it alone.
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
	load, err := NewTransferLoad(benchChainID, 1, 1)
	if err != nil {
		return nil, run, err
	}
	g := load.Genesis
	dg, _ := json.Marshal(chain.DeviceGenesis{Makers: []chain.GenesisMaker{{Name: "benchmaker", PubKey: hex.EncodeToString(benchMakerPub[:]), Kinds: []string{"coverage"}}}})
	fg, _ := json.Marshal(fleetGenesis{Devices: cfg.Devices})
	g.Modules = map[string]json.RawMessage{"device": dg, "benchfleet": fg}
	homes, err := initHomes(dir, benchChainID, 1, g, cfg.BlockTime)
	if err != nil {
		return nil, run, fmt.Errorf("bench: memory: init: %w", err)
	}
	t0 := time.Now()
	fn, err := startFleetNode(ctx, homes[0], fleetModule(), false, cfg.Logger)
	if err != nil {
		return nil, run, fmt.Errorf("bench: memory: %w", err)
	}
	c := newRPCClient(fn.rpc, 1)
	if _, err := c.waitHeight(ctx, 1, 30*time.Minute); err != nil {
		fn.stop()
		return nil, run, fmt.Errorf("bench: memory: %w", err)
	}
	run.Genesis = time.Since(t0)
	if _, err := c.waitHeight(ctx, int64(1+cfg.Blocks), 10*time.Minute); err != nil {
		fn.stop()
		return nil, run, fmt.Errorf("bench: memory: %w", err)
	}
	if mk, ok := device.GetMaker(fn.app.Committed(), ledger.AddressOf(benchMakerPub[:])); ok {
		run.Registered = mk.Devices
	}
	st, err := procStatus()
	if err == nil {
		run.RSS, run.Peak = st["VmRSS"], st["VmHWM"]
		debug.FreeOSMemory()
		if st, err = procStatus(); err == nil {
			run.RSSScavenged = st["VmRSS"]
		}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	run.HeapInuse = m.HeapInuse
	if cfg.HeapProfile != "" && err == nil {
		err = writeHeapProfile(cfg.HeapProfile)
	}
	if serr := fn.stop(); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return nil, run, fmt.Errorf("bench: memory: %w", err)
	}
	run.StateDisk = dirSize(filepath.Join(homes[0], "data", "state"))
	if run.Registered != uint64(cfg.Devices) {
		return nil, run, fmt.Errorf("bench: memory: got %d devices registered, want %d", run.Registered, cfg.Devices)
	}
	rep := &Report{
		Title: fmt.Sprintf("memory: one-validator node with %d coverage devices onboarded in genesis, after %d more blocks", cfg.Devices, cfg.Blocks),
		Rows: []Row{
			{Name: "node RSS (VmRSS)", Figure: float64(run.RSS >> 20), Unit: "MiB",
				Note: fmt.Sprintf("%d MiB after FreeOSMemory; Go heap in use %d MiB; target <= 2048 MiB", run.RSSScavenged>>20, run.HeapInuse>>20)},
			{Name: "peak RSS (VmHWM)", Figure: float64(run.Peak >> 20), Unit: "MiB",
				Note: fmt.Sprintf("genesis of %d devices took %.1fs; state on disk %d MiB", run.Registered, run.Genesis.Seconds(), run.StateDisk>>20)},
		},
	}
	return rep, run, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// procStatus reads the kB fields of /proc/self/status, in bytes.
func procStatus() (map[string]uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := make(map[string]uint64)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 2 && fields[1] == "kB" {
			if n, err := strconv.ParseUint(fields[0], 10, 64); err == nil {
				out[k] = n << 10
			}
		}
	}
	return out, sc.Err()
}

func dirSize(dir string) uint64 {
	var n uint64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += uint64(fi.Size())
			}
		}
		return nil
	})
	return n
}
