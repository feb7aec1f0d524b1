package bench

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
)

// EpochConfig sizes the epoch benchmark.
type EpochConfig struct {
	// Sizes are the fleet sizes, each 10× the previous for the scaling
	// ratio.
	Sizes []int
	// Witnesses is the number of witnesses per beacon.
	Witnesses int
	// Repeat runs each size this many times and keeps the fastest run,
	// the usual defence against a noisy machine.
	Repeat int
	// MemoryLimitCap caps the soft memory limit each size is scored under
	// (score.MemoryLimit: twice the epoch's estimated live heap, at most
	// this cap), as the oracle does; 0 sets none. GOMEMLIMIT in the
	// environment, when set, is used instead.
	MemoryLimitCap int64
}

// DefaultEpochConfig is the configuration of `depin bench epoch`; --1m adds
// the million-device run.
func DefaultEpochConfig() EpochConfig {
	return EpochConfig{Sizes: []int{10_000, 100_000}, Witnesses: 10, Repeat: 3, MemoryLimitCap: score.DefaultMemoryLimitCap}
}

// EpochRun is one fleet size's outcome.
type EpochRun struct {
	Devices, Beacons, Witnesses int
	ValidWitnesses              uint64
	Paid                        int // devices with a payout
	Score, Reward               time.Duration
	// CPU is the CPU time of the scoring thread (Linux; 0 elsewhere, and
	// possibly 0 for a run shorter than the kernel's accounting tick): the
	// work done, whatever else runs on the machine.
	CPU time.Duration
	// InputHeap is the live heap holding the input; PeakHeap the most heap
	// in use while scoring and computing rewards (sampled).
	InputHeap, PeakHeap uint64
	// PeakRSS is the process's peak resident size (VmHWM, reset before the
	// fleet is built, so input included; Linux, 0 elsewhere).
	PeakRSS uint64
	// MemoryLimit is the soft memory limit the run was scored under
	// (math.MaxInt64: none).
	MemoryLimit int64
	Root        reward.Hash
}

// Elapsed is scoring plus reward computation.
func (r EpochRun) Elapsed() time.Duration { return r.Score + r.Reward }

// epochEmission is one day's emission of the default schedule's shape; only
// ratios matter for the timing.
const epochEmission = 20_547_945_000

// benchOracles split the oracles pool.
var benchOracles = []reward.OracleShare{
	{Oracle: fleetAddr("depin/bench/oracle", 0), Weight: 1},
	{Oracle: fleetAddr("depin/bench/oracle", 1), Weight: 1},
	{Oracle: fleetAddr("depin/bench/oracle", 2), Weight: 1},
}

// ScoreAndSettle runs what an oracle runs at the end of an epoch: the
// coverage scorer, then the reward engine over its shares (the "coverage"
// pool of reward.DefaultPools), manifest Merkle root included. It consumes
// the input: once the shares are out, the input (*in is zeroed) and the
// per-report verdicts (the result's Reports) are let go before the reward
// step, which needs neither.
func ScoreAndSettle(in *coverage.Input) (coverage.Result, reward.Output, time.Duration, time.Duration, error) {
	t0 := time.Now()
	res, err := coverage.Score(*in, geo.H3{})
	t1 := time.Now()
	epoch := in.Epoch
	*in, res.Reports = coverage.Input{}, coverage.Reports{}
	if err != nil {
		return res, reward.Output{}, 0, 0, err
	}
	shares := make([]reward.Share, 0, len(res.Shares))
	for _, s := range res.Shares {
		u, ok := ledger.Add(s.Beaconer, s.Witness)
		if !ok {
			return res, reward.Output{}, 0, 0, fmt.Errorf("bench: device %s: shares overflow", s.Device)
		}
		if u > 0 {
			shares = append(shares, reward.Share{Device: s.Device, Pool: "coverage", Units: u})
		}
	}
	out, err := reward.Compute(reward.Input{Epoch: epoch, ScorerVersion: res.ScorerVersion, Emission: epochEmission,
		Pools: reward.DefaultPools(), Shares: shares, Oracles: benchOracles})
	return res, out, t1.Sub(t0), time.Since(t1), err
}

// heapSampler records the most heap in use while it runs.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func sampleHeap(every time.Duration) *heapSampler {
	s := &heapSampler{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapInuse > s.peak.Load() {
		s.peak.Store(m.HeapInuse)
	}
}

func (s *heapSampler) done() uint64 {
	close(s.stop)
	s.wg.Wait()
	s.sample()
	return s.peak.Load()
}

// RunEpoch scores and settles a synthetic epoch at each size and reports
// time (wall and CPU of the scoring thread), peak heap and each size's time
// against the size 10× smaller. It
// fails if an epoch pays nobody or its payouts do not add up.
func RunEpoch(cfg EpochConfig) (*Report, []EpochRun, error) {
	limit := "none"
	switch l := debug.SetMemoryLimit(-1); {
	case os.Getenv("GOMEMLIMIT") != "":
		limit = fmt.Sprintf("%d MiB (GOMEMLIMIT)", l>>20)
		cfg.MemoryLimitCap = 0
	case cfg.MemoryLimitCap > 0:
		limit = fmt.Sprintf("twice the epoch's estimated live heap, at most %d MiB", cfg.MemoryLimitCap>>20)
	}
	rep := &Report{Title: fmt.Sprintf("epoch: coverage scoring + reward computation (manifest root included), 1 beacon and up to %d witnesses per device, GOMAXPROCS=%d, Go memory limit %s",
		cfg.Witnesses, runtime.GOMAXPROCS(0), limit)}
	// Repeats go round the sizes (10k, 100k, 10k, 100k, ...) rather than
	// size by size, so that every size samples the same spells of load on
	// a shared machine and their ratio compares like with like.
	runs := make([]EpochRun, len(cfg.Sizes))
	for r := range max(1, cfg.Repeat) {
		for k, n := range cfg.Sizes {
			got, err := runEpochOnce(n, cfg.Witnesses, cfg.MemoryLimitCap)
			if err != nil {
				return nil, nil, err
			}
			run := &runs[k]
			if r > 0 && got.Root != run.Root {
				return nil, nil, fmt.Errorf("bench: epoch of %d devices: root %s, then %s: not deterministic", n, run.Root, got.Root)
			}
			cpu := got.CPU
			if r > 0 {
				cpu = min(cpu, run.CPU)
			}
			if r == 0 || got.Elapsed() < run.Elapsed() {
				*run = got
			}
			run.CPU = cpu
		}
	}
	for k, n := range cfg.Sizes {
		run := runs[k]
		name := fmt.Sprintf("%d devices, %d reports", n, run.Beacons+run.Witnesses)
		row := Row{Name: name + ", wall", Figure: run.Elapsed().Seconds(), Unit: "s",
			Note: fmt.Sprintf("score %.2fs + reward %.2fs; peak heap %d MiB (input %d MiB); %d/%d witnesses valid; %d paid; root %x",
				run.Score.Seconds(), run.Reward.Seconds(), run.PeakHeap>>20, run.InputHeap>>20, run.ValidWitnesses, run.Witnesses, run.Paid, run.Root[:8])}
		cpuRow := Row{Name: name + ", thread CPU", Figure: run.CPU.Seconds(), Unit: "s", Note: "CPU time of the scoring thread"}
		if k > 0 {
			prev := runs[k-1]
			row.BaselineName = fmt.Sprintf("%d devices", cfg.Sizes[k-1])
			row.Baseline = prev.Elapsed().Seconds()
			cpuRow.BaselineName, cpuRow.Baseline = row.BaselineName, prev.CPU.Seconds()
		}
		rep.Rows = append(rep.Rows, row)
		if cpuMeasured {
			rep.Rows = append(rep.Rows, cpuRow)
		}
		limit := "no memory limit"
		if run.MemoryLimit != math.MaxInt64 {
			limit = fmt.Sprintf("memory limit %d MiB", run.MemoryLimit>>20)
		}
		rep.Rows = append(rep.Rows, Row{Name: name + ", peak heap", Figure: float64(run.PeakHeap) / (1 << 20), Unit: "MiB",
			Note: fmt.Sprintf("most heap in use while scoring and settling (sampled every 20 ms), input of %d MiB included; %s", run.InputHeap>>20, limit)})
		if run.PeakRSS > 0 {
			rep.Rows = append(rep.Rows, Row{Name: name + ", peak RSS", Figure: float64(run.PeakRSS) / (1 << 20), Unit: "MiB",
				Note: "process VmHWM from before the fleet was built to the end of the run"})
		}
	}
	return rep, runs, nil
}

// runEpochOnce builds and scores one epoch of n devices. With a cap, the
// epoch is scored under score.MemoryLimit of its size, and the limit before
// is restored after.
func runEpochOnce(n, perBeacon int, limitCap int64) (EpochRun, error) {
	run := EpochRun{Devices: n}
	debug.FreeOSMemory()
	rssReset := resetPeak() == nil
	in, err := NewFleet(n, perBeacon)
	if err != nil {
		return run, err
	}
	run.Beacons, run.Witnesses = len(in.Beacons), in.WitnessColumns.Len()
	if l := score.MemoryLimit(uint64(run.Beacons+run.Witnesses), score.ScoreBytesPerReport, limitCap); l > 0 {
		prev := debug.SetMemoryLimit(l)
		defer debug.SetMemoryLimit(prev)
	}
	run.MemoryLimit = debug.SetMemoryLimit(-1)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	run.InputHeap = m.HeapInuse
	hs := sampleHeap(20 * time.Millisecond)
	runtime.LockOSThread()
	c0 := threadCPU()
	res, out, score, rew, err := ScoreAndSettle(&in)
	run.CPU = threadCPU() - c0
	runtime.UnlockOSThread()
	run.PeakHeap = hs.done()
	if st, err := procStatus(); err == nil && rssReset {
		run.PeakRSS = st["VmHWM"]
	}
	if err != nil {
		return run, fmt.Errorf("bench: epoch of %d devices: %w", n, err)
	}
	run.Score, run.Reward, run.Root, run.Paid = score, rew, out.Root, len(out.Devices)
	for _, c := range res.Counts {
		if c.Role == coverage.RoleWitness && c.Reason == coverage.ReasonValid {
			run.ValidWitnesses = c.Count
		}
	}
	if run.Paid == 0 || run.ValidWitnesses == 0 {
		return run, fmt.Errorf("bench: epoch of %d devices: %d devices paid, %d valid witnesses; the fleet is not scoring", n, run.Paid, run.ValidWitnesses)
	}
	var sum uint64
	for _, d := range out.Devices {
		sum += d.Amount
	}
	for _, o := range out.Oracles {
		sum += o.Amount
	}
	if sum+out.Treasury != epochEmission {
		return run, fmt.Errorf("bench: epoch of %d devices: payouts %d + treasury %d, want emission %d", n, sum, out.Treasury, epochEmission)
	}
	return run, nil
}
