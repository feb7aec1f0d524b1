package bench

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// IngestConfig sizes the ingest benchmark.
type IngestConfig struct {
	// Reports is the number of signed reports submitted.
	Reports int
	// Devices sign them round robin, each with increasing nonces.
	Devices int
	// Batch is the number of reports per SubmitBatch request.
	Batch int
	// Workers is the number of concurrent clients (0: 2×GOMAXPROCS).
	Workers int
	// Sync is the ingest fsync policy (ingest.SyncBatch, ...).
	Sync string
	// Dir holds the service's data (a temporary directory when empty).
	Dir string
}

// DefaultIngestConfig is the configuration of `depin bench ingest`.
func DefaultIngestConfig() IngestConfig {
	return IngestConfig{Reports: 262_144, Devices: 4096, Batch: 1024, Sync: ingest.SyncBatch}
}

// IngestRun is the outcome of the ingest benchmark.
type IngestRun struct {
	Reports  int
	Accepted int
	Verified int           // by the baseline, which runs twice
	Served   time.Duration // submitting every report until the last ack
	Baseline time.Duration // batch-verifying every report, twice
	// ServedCPU and BaselineCPU are the process CPU time of each phase
	// (0 where not measured).
	ServedCPU, BaselineCPU time.Duration
}

// ingestLoad is the one-minute load average of the machine ("?" where
// /proc/loadavg is missing): the benchmarks share it with other work.
func ingestLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// entropyHeight is the chain head the benchmark's reports answer.
const entropyHeight = 100

func benchBlockHash(h int64) []byte {
	s := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/bench/chain"), uint64(h)))
	return s[:]
}

// signReports signs n heartbeats from devices keys (round robin, nonces
// from 1) on GOMAXPROCS goroutines and deals them to workers: worker w gets
// the reports of the devices d with d%workers == w, in nonce order, in
// batches of at most batch. A device's reports thus travel in order on one
// connection, as a real device's do.
func signReports(keys []sig.PrivateKey, n, batch, workers int) [][][]*reportv1.SignedReport {
	all := make([]*reportv1.SignedReport, n)
	ent := &reportv1.BlockRef{Height: entropyHeight, Hash: benchBlockHash(entropyHeight)}
	// Timestamps near the wall clock: ingest bounds their distance from it.
	start := time.Now().UnixNano()
	var wg sync.WaitGroup
	procs := runtime.GOMAXPROCS(0)
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := p; j < n; j += procs {
				k := keys[j%len(keys)]
				nonce := uint64(j/len(keys) + 1)
				b, err := proto.Marshal(&reportv1.Report{
					PubKey: sig.PublicOf(k), Nonce: nonce, Timestamp: start + int64(j),
					Entropy: ent,
					Kind:    coverage.Name, Type: coverage.TypeHeartbeat, Body: heartbeatBody(nonce),
				})
				if err != nil {
					panic(err) // a fixed, valid message always encodes
				}
				all[j] = &reportv1.SignedReport{Report: b, Signature: sig.Sign(k, ingest.Domain, b)}
			}
		}()
	}
	wg.Wait()
	out := make([][][]*reportv1.SignedReport, workers)
	var cur [][]*reportv1.SignedReport
	for w := range workers {
		cur = append(cur, nil)
		for j := range all {
			if (j%len(keys))%workers != w {
				continue
			}
			if len(cur[w]) == batch {
				out[w] = append(out[w], cur[w])
				cur[w] = nil
			}
			cur[w] = append(cur[w], all[j])
		}
		if len(cur[w]) > 0 {
			out[w] = append(out[w], cur[w])
		}
	}
	return out
}

// flatten lists every worker's batches.
func flatten(perWorker [][][]*reportv1.SignedReport) [][]*reportv1.SignedReport {
	var out [][]*reportv1.SignedReport
	for _, bs := range perWorker {
		out = append(out, bs...)
	}
	return out
}

// verifyBatches decodes and batch-verifies every batch with
// sig.BatchVerifier on GOMAXPROCS goroutines: the raw cost of checking the
// signatures ingest must check.
func verifyBatches(batches [][]*reportv1.SignedReport, maxBytes int) (int, error) {
	work := make(chan []*reportv1.SignedReport, len(batches))
	for _, b := range batches {
		work <- b
	}
	close(work)
	var wg sync.WaitGroup
	var mu sync.Mutex
	verified := 0
	var firstErr error
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				bv := sig.NewBatchVerifier()
				for _, sr := range b {
					rep, rj := segment.DecodeReport(chain.Kinds(), sr, maxBytes)
					if rj != nil {
						mu.Lock()
						firstErr = rj
						mu.Unlock()
						return
					}
					bv.Add(rep.GetPubKey(), ingest.Domain, sr.GetReport(), sr.GetSignature())
				}
				ok, _ := bv.Verify()
				mu.Lock()
				if ok {
					verified += len(b)
				} else if firstErr == nil {
					firstErr = fmt.Errorf("a batch does not verify")
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return verified, firstErr
}

// RunIngest measures signed reports durably acknowledged per second by the
// ingest service over loopback (connect, binary protobuf over h2c) against
// raw batch verification of the same reports in the same run, before and
// after the service. It fails unless every report is verified and accepted.
func RunIngest(ctx context.Context, cfg IngestConfig) (*Report, IngestRun, error) {
	run := IngestRun{Reports: cfg.Reports}
	if cfg.Reports < 1 || cfg.Devices < 1 || cfg.Batch < 1 {
		return nil, run, fmt.Errorf("bench: ingest: reports, devices and batch must be positive")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "depin-bench-ingest-")
		if err != nil {
			return nil, run, fmt.Errorf("bench: ingest: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	keys := make([]sig.PrivateKey, cfg.Devices)
	reg := ingest.NewMemRegistry()
	for i := range keys {
		seed := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/bench/device"), uint64(i)))
		keys[i] = sig.KeyFromSeed(seed[:])
		reg.Put(sig.PublicOf(keys[i]), ingest.DeviceInfo{})
	}
	perWorker := signReports(keys, cfg.Reports, cfg.Batch, cfg.Workers)

	icfg := ingest.DefaultConfig()
	icfg.DataDir = dir
	icfg.ListenAddr = "127.0.0.1:0"
	icfg.Sync = cfg.Sync
	icfg.MaxBatch = max(icfg.MaxBatch, cfg.Batch)
	icfg.ConnRate = 0 // the load arrives on one connection: measure ingest, not its per-connection limit
	// The benchmark measures throughput, not the per-device rate limit.
	icfg.Rate, icfg.Burst = uint64(cfg.Reports), uint64(cfg.Reports)

	// The baseline runs before and after the service, and the two runs
	// count as one, so that a change of load on a shared machine during
	// the run weighs on both sides alike.
	load := ingestLoad()
	baseline := func() error {
		t0, c0 := time.Now(), ingestProcessCPU()
		verified, err := verifyBatches(flatten(perWorker), icfg.MaxReportBytes)
		run.Baseline += time.Since(t0)
		run.BaselineCPU += ingestProcessCPU() - c0
		run.Verified += verified
		if err != nil {
			return fmt.Errorf("bench: ingest: baseline: %w", err)
		}
		return nil
	}
	if err := baseline(); err != nil {
		return nil, run, err
	}

	chain := ingest.NewMemEntropy()
	for h := int64(1); h <= entropyHeight; h++ {
		chain.Append(benchBlockHash(h))
	}
	svc, err := ingest.New(icfg, ingest.Deps{Registry: reg, Kinds: kind.NewRegistry(coverage.Kind{}), Entropy: chain, Epochs: ingest.FixedEpochs{Length: 1000}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, run, fmt.Errorf("bench: ingest: %w", err)
	}
	defer svc.Close()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(rctx) }()
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	client := ingestv1connect.NewIngestServiceClient(&http.Client{Transport: &http.Transport{Protocols: &p}, Timeout: time.Minute}, "http://"+svc.Addr())
	t0, c0 := time.Now(), ingestProcessCPU()
	accepted, err := submitReports(ctx, client, perWorker)
	run.Served = time.Since(t0)
	run.ServedCPU = ingestProcessCPU() - c0
	run.Accepted = accepted
	cancel()
	if rerr := <-done; rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return nil, run, fmt.Errorf("bench: ingest: %w", err)
	}
	if accepted != cfg.Reports {
		return nil, run, fmt.Errorf("bench: ingest: got %d of %d reports accepted, want all", accepted, cfg.Reports)
	}
	if err := baseline(); err != nil {
		return nil, run, err
	}
	served := float64(accepted) / run.Served.Seconds()
	base := float64(run.Verified) / run.Baseline.Seconds()
	rep := &Report{
		Title: fmt.Sprintf("ingest: %d signed heartbeats from %d devices, batches of %d, %d clients (connect over h2c), sync=%s, GOMAXPROCS=%d",
			cfg.Reports, cfg.Devices, cfg.Batch, cfg.Workers, cfg.Sync, runtime.GOMAXPROCS(0)),
		Rows: []Row{{Name: "reports durably acknowledged", Figure: served, Unit: "reports/s",
			BaselineName: "raw batch verify", Baseline: base,
			Note: fmt.Sprintf("%d/%d accepted, load %s before, %s after", accepted, cfg.Reports, load, ingestLoad())}},
	}
	if run.ServedCPU > 0 && run.BaselineCPU > 0 {
		// Reports per CPU-second of the whole process: what the run
		// costs, whatever else the machine ran. GOMAXPROCS times it is
		// the rate the cores would give if nothing else used them.
		perCPU := float64(accepted) / run.ServedCPU.Seconds()
		rep.Rows = append(rep.Rows, Row{Name: "reports per CPU-second", Figure: perCPU, Unit: "reports/s",
			BaselineName: "raw batch verify", Baseline: float64(run.Verified) / run.BaselineCPU.Seconds(),
			Note: fmt.Sprintf("service, log, batcher and clients; idle-machine bound %s reports/s on %d cores",
				formatNum(perCPU*float64(runtime.GOMAXPROCS(0))), runtime.GOMAXPROCS(0))})
	}
	return rep, run, nil
}

// submitReports sends each worker's batches in order, the workers
// concurrently, and counts the reports acknowledged ACCEPTED.
func submitReports(ctx context.Context, client ingestv1connect.IngestServiceClient, perWorker [][][]*reportv1.SignedReport) (int, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	var firstErr error
	for _, batches := range perWorker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range batches {
				res, err := client.SubmitBatch(ctx, connect.NewRequest(&ingestv1.SubmitBatchRequest{Reports: b}))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("submit batch: %w", err)
					}
					mu.Unlock()
					return
				}
				n := 0
				for _, r := range res.Msg.GetResults() {
					if r.GetStatus() == ingestv1.Status_STATUS_ACCEPTED {
						n++
					} else {
						mu.Lock()
						if firstErr == nil {
							firstErr = fmt.Errorf("report rejected: %s: %s", r.GetStatus(), r.GetMessage())
						}
						mu.Unlock()
					}
				}
				mu.Lock()
				accepted += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return accepted, firstErr
}

// heartbeatBody is an encoded coverage heartbeat.
func heartbeatBody(uptime uint64) []byte {
	b, err := proto.Marshal(&coveragev1.Heartbeat{Cell: 0x8c1f1d4852cc7ff, Uptime: uptime})
	if err != nil {
		panic(err) // a fixed, valid message always encodes
	}
	return b
}
