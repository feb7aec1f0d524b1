package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/depin-network/depin/internal/app"
)

// LedgerConfig sizes the ledger benchmark.
type LedgerConfig struct {
	// Txs is the number of signed transfers per run.
	Txs int
	// Senders is the number of funded accounts signing them (round robin);
	// Txs senders means one transaction per account.
	Senders int
	// Workers is the number of concurrent broadcast_tx_sync clients.
	Workers int
	// BlockTime is CometBFT's timeout_commit for every node.
	BlockTime time.Duration
	// Validators lists the network sizes to run, e.g. {1, 4}.
	Validators []int
	// Dir holds the node homes (a temporary directory when empty).
	Dir string
	// Timeout bounds the wait for one run's transactions to commit.
	Timeout time.Duration
	// Logger receives the nodes' logs (discarded when nil).
	Logger *slog.Logger
	// SerialCheckTx adds a one-validator run of depin wired as before
	// node.NewClientCreator, with proxy.NewConnSyncLocalClientCreator,
	// whose mempool connection checks one transaction at a time: the gain
	// of concurrent CheckTx, measured in the same run.
	SerialCheckTx bool
	// Pairs is how many kvstore and depin runs are made per network size,
	// alternating (kvstore first in odd pairs, depin first in even ones).
	// With more than one pair a row reports the pair with the median ratio
	// and lists every pair's ratio: on a shared machine one pair's ratio
	// moves with whatever else runs, the median of several much less.
	Pairs int
	// Progress, if set, is told before each run starts: the runs done, the
	// runs in all, and the run that starts.
	Progress func(done, total int, run string)
}

// DefaultLedgerConfig is the configuration of `depin bench ledger`.
func DefaultLedgerConfig() LedgerConfig {
	return LedgerConfig{Txs: 20_000, Senders: 20_000, Workers: 8, BlockTime: 10 * time.Millisecond, Validators: []int{1, 4}, Timeout: 5 * time.Minute, SerialCheckTx: true, Pairs: 1}
}

// LedgerRun is one application's run.
type LedgerRun struct {
	App        string
	Validators int
	Txs        int
	OK         int // transactions committed with code 0
	Blocks     int64
	Elapsed    time.Duration
	// CPU is the process's CPU time over the run (nodes and load
	// generator; zero where not measured).
	CPU time.Duration
}

// Rate is committed transactions per second.
func (r LedgerRun) Rate() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// CPUPerTx is the process's CPU time per committed transaction, in µs.
func (r LedgerRun) CPUPerTx() float64 {
	if r.OK == 0 {
		return 0
	}
	return float64(r.CPU.Microseconds()) / float64(r.OK)
}

// note describes a depin run next to its kvstore baseline.
func (r LedgerRun) note(base LedgerRun, what string) string {
	return fmt.Sprintf("%d/%d ok in %d blocks%s; CPU %.0f µs/tx, kvstore %.0f µs/tx (%d blocks)",
		r.OK, r.Txs, r.Blocks, what, r.CPUPerTx(), base.CPUPerTx(), base.Blocks)
}

const benchChainID = "depin-bench"

// RunLedger measures signed transfers committed per second through RPC on
// a depin network and on CometBFT's kvstore with the same generator, for
// each network size. It fails if any transaction is rejected or does not
// commit with code 0.
func RunLedger(ctx context.Context, cfg LedgerConfig) (*Report, []LedgerRun, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "depin-bench-ledger-")
		if err != nil {
			return nil, nil, fmt.Errorf("bench: ledger: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	load, err := NewTransferLoad(benchChainID, cfg.Txs, cfg.Senders)
	if err != nil {
		return nil, nil, err
	}
	kv := load.KVLoad()
	rep := &Report{Title: fmt.Sprintf("ledger: %d signed transfers (%d B each on average) from %d senders, %d RPC workers (broadcast_tx_sync), timeout_commit %s",
		cfg.Txs, load.Bytes()/len(load.Txs), load.Senders, cfg.Workers, cfg.BlockTime)}
	var runs []LedgerRun
	pairs := max(cfg.Pairs, 1)
	total := 2 * pairs * len(cfg.Validators)
	if cfg.SerialCheckTx && slices.Contains(cfg.Validators, 1) {
		total++
	}
	tell := func(run string) {
		if cfg.Progress != nil {
			cfg.Progress(len(runs), total, run)
		}
	}
	for _, v := range cfg.Validators {
		var ps []ledgerPair
		for p := range pairs {
			var pr ledgerPair
			order := []string{"kvstore", "depin"}
			if p%2 == 1 {
				order = []string{"depin", "kvstore"}
			}
			for _, name := range order {
				tell(fmt.Sprintf("%s, %d validator(s), pair %d of %d", name, v, p+1, pairs))
				dir := filepath.Join(dir, fmt.Sprintf("%s-%d-%d", name, v, p))
				l := load
				if name == "kvstore" {
					l = kv
				}
				r, err := runLedgerOnce(ctx, cfg, dir, name, v, l)
				if err != nil {
					return nil, nil, err
				}
				runs = append(runs, r)
				if name == "kvstore" {
					pr.base = r
				} else {
					pr.fig = r
				}
			}
			ps = append(ps, pr)
		}
		rep.Rows = append(rep.Rows, pairRows(v, ps)...)
		if v == 1 && cfg.SerialCheckTx {
			base := medianPair(ps).base
			tell("depin, 1 validator, CheckTx serialized")
			ser, err := runLedgerOnce(ctx, cfg, filepath.Join(dir, "depin-serial"), "depin-serial-checktx", 1, load)
			if err != nil {
				return nil, nil, err
			}
			runs = append(runs, ser)
			rep.Rows = append(rep.Rows, Row{
				Name: "depin, 1 validator, CheckTx serialized (before)", Figure: ser.Rate(), Unit: "tx/s",
				BaselineName: "cometbft kvstore", Baseline: base.Rate(),
				Note: ser.note(base, ", ConnSync client as wired before"),
			})
		}
	}
	return rep, runs, nil
}

// ledgerPair is a depin run and its kvstore baseline.
type ledgerPair struct{ fig, base LedgerRun }

func (p ledgerPair) ratio() float64 {
	if p.base.Rate() == 0 {
		return 0
	}
	return p.fig.Rate() / p.base.Rate()
}

// medianPair is the pair with the median ratio (the lower middle one of an
// even number).
func medianPair(ps []ledgerPair) ledgerPair {
	s := slices.Clone(ps)
	slices.SortStableFunc(s, func(a, b ledgerPair) int { return cmp.Compare(a.ratio(), b.ratio()) })
	return s[(len(s)-1)/2]
}

// medianOf xs (the lower middle one of an even number).
func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// pairRows reports the runs of one network size: throughput against the
// kvstore (the pair with the median ratio) and CPU per transaction against
// the kvstore's (medians over the pairs). With one pair they are that
// pair's figures.
func pairRows(v int, ps []ledgerPair) []Row {
	m := medianPair(ps)
	name := fmt.Sprintf("depin, %d validator(s)", v)
	note := m.fig.note(m.base, "")
	var figCPU, baseCPU []float64
	for _, p := range ps {
		figCPU = append(figCPU, p.fig.CPUPerTx())
		baseCPU = append(baseCPU, p.base.CPUPerTx())
	}
	if len(ps) > 1 {
		rs := make([]string, len(ps))
		for i, p := range ps {
			rs[i] = fmt.Sprintf("%.2f", p.ratio())
		}
		note = fmt.Sprintf("pair with the median ratio of %d (ratios in run order: %s); %s", len(ps), strings.Join(rs, " "), note)
	}
	return []Row{
		{Name: name, Figure: m.fig.Rate(), Unit: "tx/s", BaselineName: "cometbft kvstore", Baseline: m.base.Rate(), Note: note},
		{Name: name + ", CPU per tx", Figure: medianOf(figCPU), Unit: "µs/tx", BaselineName: "cometbft kvstore", Baseline: medianOf(baseCPU),
			Note: fmt.Sprintf("process CPU (nodes and load generator) per committed transfer, median of %d run(s) each", len(ps))},
	}
}

// runLedgerOnce starts a fresh network of app ("depin" or "kvstore") in dir,
// submits the load and waits until it is committed.
//
// Everything the run starts (nodes, RPC servers, workers) carries the
// profiler label run=<app>-<validators>, so that a --cpuprofile of a whole
// `bench ledger` can be split by run (pprof -tagfocus run=depin-1).
func runLedgerOnce(ctx context.Context, cfg LedgerConfig, dir, appName string, validators int, l *Load) (run LedgerRun, err error) {
	pprof.Do(ctx, pprof.Labels("run", fmt.Sprintf("%s-%d", appName, validators)), func(ctx context.Context) {
		run, err = runLedgerLabelled(ctx, cfg, dir, appName, validators, l)
	})
	return run, err
}

func runLedgerLabelled(ctx context.Context, cfg LedgerConfig, dir, appName string, validators int, l *Load) (LedgerRun, error) {
	run := LedgerRun{App: appName, Validators: validators, Txs: len(l.Txs)}
	homes, err := initHomes(dir, benchChainID, validators, l.Genesis, cfg.BlockTime)
	if err != nil {
		return run, fmt.Errorf("bench: ledger %s: init: %w", appName, err)
	}
	var cl *cluster
	switch appName {
	case "kvstore":
		cl, err = startKVStore(ctx, homes)
	case "depin-serial-checktx":
		cl, err = startSerial(ctx, homes[0], cfg.Logger)
	default:
		cl, err = startDepin(ctx, homes, cfg.Logger)
	}
	if err != nil {
		return run, fmt.Errorf("bench: ledger %s: %w", appName, err)
	}
	err = measure(ctx, cfg, cl, l, &run)
	if serr := cl.stop(); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return run, fmt.Errorf("bench: ledger %s, %d validator(s): %w", appName, validators, err)
	}
	return run, nil
}

// startSerial runs a one-validator depin node wired through CometBFT's
// ConnSync client creator, whose mempool connection checks one transaction
// at a time: the wiring before node.NewClientCreator.
func startSerial(ctx context.Context, home string, logger *slog.Logger) (*cluster, error) {
	fn, err := startFleetNode(ctx, home, app.Module{}, true, logger)
	if err != nil {
		return nil, err
	}
	cl := &cluster{rpcs: []string{fn.rpc}, stop: fn.stop}
	if err := waitUp(ctx, cl.rpcs); err != nil {
		cl.stop()
		return nil, err
	}
	return cl, nil
}

func measure(ctx context.Context, cfg LedgerConfig, cl *cluster, l *Load, run *LedgerRun) error {
	clients := make([]*rpcClient, len(cl.rpcs))
	for i, u := range cl.rpcs {
		clients[i] = newRPCClient(u, cfg.Workers)
	}
	start, err := clients[0].height(ctx)
	if err != nil {
		return err
	}
	// Collect the garbage of earlier runs (the previous run's block results
	// above all) before the clock starts, so that none of its collection is
	// charged to this run's CPU.
	runtime.GC()
	cpu0, t0 := processCPU(), time.Now()
	if err := submit(ctx, clients, l, cfg.Workers); err != nil {
		return err
	}
	end, t1, err := waitCommitted(ctx, clients[0], start, len(l.Txs), cfg.Timeout)
	if err != nil {
		return err
	}
	run.CPU = processCPU() - cpu0
	run.Elapsed = t1.Sub(t0)
	run.Blocks = end - start
	ok, total, err := countOK(ctx, clients[0], start, end)
	if err != nil {
		return err
	}
	run.OK = ok
	if ok != len(l.Txs) || total != len(l.Txs) {
		return fmt.Errorf("got %d of %d transactions committed with code 0 (%d in blocks %d-%d), want all", ok, len(l.Txs), total, start+1, end)
	}
	return nil
}
