package ingest

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

const (
	crashEnv     = "DEPIN_INGEST_CRASH_DIR"
	crashDevices = 64
)

func crashConfig(dir string) Config {
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.Rate, cfg.Burst = 1_000_000, 1_000_000
	cfg.SegmentSize = 500
	cfg.SegmentMaxAge = 50 * time.Millisecond
	return cfg
}

func crashDeps(reg *MemRegistry) Deps {
	return Deps{Registry: reg, Entropy: testChain(100), Epochs: FixedEpochs{Length: 1000}, Committer: &RecordingCommitter{}}
}

// TestCrashChild is the service process of TestCrashRecovery; it runs only
// when re-executed with DEPIN_INGEST_CRASH_DIR set, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashRecovery")
	}
	reg := NewMemRegistry()
	newFleet(crashDevices).register(reg)
	svc, err := New(crashConfig(dir), crashDeps(reg), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "addr.tmp"), []byte(svc.Addr()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "addr.tmp"), filepath.Join(dir, "addr")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = svc.Run(ctx)
}

// TestCrashRecovery runs the service in a child process, loads it, kills it
// with SIGKILL mid-load several times, and checks that every acknowledged
// report is in the log and, once the batcher has run, in a segment.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process crash test")
	}
	dir := t.TempDir()
	f := newFleet(crashDevices)
	acked := map[[32]byte]bool{}
	var mu sync.Mutex
	for round := range 3 {
		addr := startChild(t, dir)
		client := ingestv1connect.NewIngestServiceClient(h2cClient(), "http://"+addr, connect.WithGRPC())
		ent := &reportv1.BlockRef{Height: 100, Hash: blockHash(100)}
		var wg sync.WaitGroup
		reached := make(chan struct{})
		var once sync.Once
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		const workers = 4
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Worker w owns devices w, w+workers, ...: each device's
				// nonces come from one goroutine.
				for n := 0; n < 200 && ctx.Err() == nil; n++ {
					var batch []*reportv1.SignedReport
					for i := w; i < crashDevices; i += workers {
						for range 8 {
							batch = append(batch, f.heartbeat(i, ent))
						}
					}
					res, err := client.SubmitBatch(ctx, connect.NewRequest(&ingestv1.SubmitBatchRequest{Reports: batch}))
					if err != nil {
						return // the child was killed
					}
					mu.Lock()
					for _, r := range res.Msg.GetResults() {
						if r.GetStatus() == ingestv1.Status_STATUS_ACCEPTED {
							acked[[32]byte(r.GetHash())] = true
						}
					}
					if len(acked) >= (round+1)*3000 {
						once.Do(func() { close(reached) })
					}
					mu.Unlock()
				}
			}()
		}
		select {
		case <-reached:
		case <-ctx.Done():
		}
		killChild(t, dir) // mid-load: workers are still sending
		wg.Wait()
		cancel()
		t.Logf("round %d: %d reports acknowledged so far", round, len(acked))
	}
	if len(acked) == 0 {
		t.Fatal("no report was acknowledged")
	}

	// Restart in-process on the same data and check.
	reg := NewMemRegistry()
	f.register(reg)
	svc, err := New(crashConfig(dir), crashDeps(reg), testLogger(t))
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer svc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	defer func() { cancel(); <-done }()

	inLog := readLog(t, svc)
	for h := range acked {
		if !inLog[h] {
			t.Fatalf("acknowledged report %x is not in the log (%d records)", h, len(inLog))
		}
	}
	last, err := svc.log.lastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inSegs := map[[32]byte]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for {
		segs := svc.store.all()
		if n := len(segs); n > 0 && segs[n-1].LastSeq == last {
			for i, s := range segs {
				if i > 0 && s.FirstSeq != segs[i-1].LastSeq+1 {
					t.Fatalf("segment %d starts at %d, want %d: a gap or overlap", i, s.FirstSeq, segs[i-1].LastSeq+1)
				}
				b, err := os.ReadFile(filepath.Join(dir, "segments", s.Hash))
				if err != nil {
					t.Fatal(err)
				}
				seg, err := DecodeSegment(b)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range seg.GetRecords() {
					h := LeafHash(r)
					if inSegs[h] {
						t.Fatalf("record %x is in two segments", h)
					}
					inSegs[h] = true
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("segments do not reach the end of the log (%d) after 30s", last)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for h := range acked {
		if !inSegs[h] {
			t.Fatalf("acknowledged report %x is in no segment", h)
		}
	}
	t.Logf("%d acknowledged, %d in the log, %d in segments", len(acked), len(inLog), len(inSegs))
}

func startChild(t *testing.T, dir string) string {
	t.Helper()
	_ = os.Remove(filepath.Join(dir, "addr"))
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	childs[dir] = cmd
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "addr")); err == nil {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatal("child did not start within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var childs = map[string]*exec.Cmd{}

func killChild(t *testing.T, dir string) {
	t.Helper()
	cmd := childs[dir]
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// readLog returns the leaf hashes of every record in the log and checks
// that no device nonce appears twice.
func readLog(t *testing.T, svc *Service) map[[32]byte]bool {
	t.Helper()
	ctx := context.Background()
	last, err := svc.log.lastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[[32]byte]bool{}
	if last == 0 {
		return out
	}
	it, err := svc.log.read(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Stop()
	seen := map[string]bool{}
	for {
		msg, err := it.Next(jetstream.NextMaxWait(10 * time.Second))
		if errors.Is(err, nats.ErrTimeout) {
			t.Fatalf("log read stalled at %d records of %d", len(out), last)
		}
		if err != nil {
			t.Fatal(err)
		}
		var rec ingestv1.LogRecord
		var rep reportv1.Report
		if err := proto.Unmarshal(msg.Data(), &rec); err != nil {
			t.Fatal(err)
		}
		if err := proto.Unmarshal(rec.GetReport().GetReport(), &rep); err != nil {
			t.Fatal(err)
		}
		key := hex.EncodeToString(rep.GetPubKey()) + "/" + strconv.FormatUint(rep.GetNonce(), 10)
		if seen[key] {
			t.Fatalf("device nonce %s is in the log twice", key)
		}
		seen[key] = true
		out[LeafHash(msg.Data())] = true
		md, err := msg.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		if md.Sequence.Stream == last {
			return out
		}
	}
}
