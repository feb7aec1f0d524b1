package ingest

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

const (
	benchDevices = 4096
	benchBatch   = 1024
)

var benchData struct {
	once    sync.Once
	fleet   *fleet
	batches [][]*reportv1.SignedReport
}

// benchBatches returns n reports from benchDevices devices in batches of
// benchBatch, signed once per process.
func benchBatches(n int) (*fleet, [][]*reportv1.SignedReport) {
	benchData.once.Do(func() {
		f := newFleet(benchDevices)
		ent := &reportv1.BlockRef{Height: 100, Hash: blockHash(100)}
		var all []*reportv1.SignedReport
		for i := range 65536 {
			all = append(all, f.heartbeat(i%benchDevices, ent))
		}
		for len(all) > 0 {
			k := min(benchBatch, len(all))
			benchData.batches = append(benchData.batches, all[:k])
			all = all[k:]
		}
		benchData.fleet = f
	})
	return benchData.fleet, benchData.batches[:n/benchBatch]
}

// verifyBaseline batch-verifies the reports with sig.BatchVerifier on
// GOMAXPROCS goroutines and returns reports per second.
func verifyBaseline(b *testing.B, batches [][]*reportv1.SignedReport) float64 {
	start := time.Now()
	work := make(chan []*reportv1.SignedReport, len(batches))
	for _, bt := range batches {
		work <- bt
	}
	close(work)
	var wg sync.WaitGroup
	n := 0
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bt := range work {
				bv := sig.NewBatchVerifier()
				for _, sr := range bt {
					rep, err := segment.DecodeReport(testKinds, sr, 2048)
					if err != nil {
						b.Error(err)
						return
					}
					bv.Add(rep.GetPubKey(), Domain, sr.GetReport(), sr.GetSignature())
				}
				if ok, _ := bv.Verify(); !ok {
					b.Error("baseline: batch does not verify")
				}
			}
		}()
	}
	wg.Wait()
	for _, bt := range batches {
		n += len(bt)
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkSubmitBatch measures signed reports durably accepted per second
// through the connect handler (binary protobuf over h2c, 2×GOMAXPROCS
// client workers) against raw batch verification of the same reports in the
// same run, for each fsync policy (DESIGN §4: ≥100k/s and ≥0.7× baseline).
// Run: go test ./internal/ingest -run '^$' -bench SubmitBatch -benchtime 3x
func BenchmarkSubmitBatch(b *testing.B) {
	for _, pc := range []struct {
		sync    string
		reports int
	}{{SyncBatch, 65536}, {SyncInterval, 65536}, {SyncAlways, 8192}} {
		b.Run(pc.sync, func(b *testing.B) {
			f, batches := benchBatches(pc.reports)
			var served, baseline float64
			for range b.N {
				b.StopTimer()
				baseline += verifyBaseline(b, batches)
				cfg := testConfig(b)
				cfg.Sync = pc.sync
				cfg.Rate, cfg.Burst = 1_000_000, 1_000_000
				reg := NewMemRegistry()
				f.register(reg)
				svc, err := New(cfg, Deps{Registry: reg, Kinds: testKinds, Entropy: testChain(100), Epochs: FixedEpochs{Length: 1000}}, nil)
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- svc.Run(ctx) }()
				client := ingestv1connect.NewIngestServiceClient(h2cClient(), "http://"+svc.Addr())
				b.StartTimer()
				served += submitAll(b, client, batches)
				b.StopTimer()
				cancel()
				<-done
				svc.Close()
			}
			served /= float64(b.N)
			baseline /= float64(b.N)
			b.ReportMetric(served, "reports/s")
			b.ReportMetric(baseline, "verify/s")
			b.ReportMetric(served/baseline, "ratio")
			b.Logf("sync=%s: %.0f reports/s accepted, raw batch verification %.0f/s, ratio %.2f", pc.sync, served, baseline, served/baseline)
		})
	}
}

func submitAll(b *testing.B, client ingestv1connect.IngestServiceClient, batches [][]*reportv1.SignedReport) float64 {
	start := time.Now()
	work := make(chan []*reportv1.SignedReport, len(batches))
	for _, bt := range batches {
		work <- bt
	}
	close(work)
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bt := range work {
				res, err := client.SubmitBatch(context.Background(), connect.NewRequest(&ingestv1.SubmitBatchRequest{Reports: bt}))
				if err != nil {
					b.Error(err)
					return
				}
				n := 0
				for _, r := range res.Msg.GetResults() {
					if r.GetStatus() == ingestv1.Status_STATUS_ACCEPTED {
						n++
					}
				}
				mu.Lock()
				accepted += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, bt := range batches {
		total += len(bt)
	}
	if accepted != total {
		b.Fatalf("got %d of %d reports accepted", accepted, total)
	}
	return float64(accepted) / time.Since(start).Seconds()
}

var _ = http.MethodGet
