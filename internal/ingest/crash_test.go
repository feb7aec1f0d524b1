package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/segment"
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
	// Snapshot the marks often, so that kills land between snapshots
	// and restarts replay a log tail.
	cfg.SnapshotRecords = 700
	return cfg
}

func crashDeps(reg *MemRegistry) Deps {
	return Deps{Registry: reg, Kinds: testKinds, Entropy: testChain(100), Epochs: FixedEpochs{Length: 1000}, Committer: &RecordingCommitter{}}
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

	// Restart in-process on the same data and check. The marks come from
	// the children's last snapshot plus the log after it.
	snap, err := loadMarks(filepath.Join(dir, marksFile))
	if err != nil {
		t.Fatal(err)
	}
	if snap.seq == 0 {
		t.Fatal("no marks snapshot was written under load")
	}
	t.Logf("restart from the marks snapshot at message %d (%d devices)", snap.seq, len(snap.marks))
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
	_, last, err := svc.log.Bounds(context.Background())
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
				seg, err := segment.Decode(b)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range seg.GetRecords() {
					h := merkle.LeafHash(r)
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
	checkMarks(t, svc)
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
// that no device nonce appears twice and that each entry's key, nonce and
// digest are those of its record.
func readLog(t *testing.T, svc *Service) map[[32]byte]bool {
	t.Helper()
	out := map[[32]byte]bool{}
	seen := map[string]bool{}
	for _, r := range logRecords(t, svc) {
		var rec ingestv1.LogRecord
		var rep reportv1.Report
		if err := proto.Unmarshal(r.entry.record, &rec); err != nil {
			t.Fatal(err)
		}
		if err := proto.Unmarshal(rec.GetReport().GetReport(), &rep); err != nil {
			t.Fatal(err)
		}
		if string(rep.GetPubKey()) != string(r.entry.pub[:]) || rep.GetNonce() != r.entry.nonce || sha256.Sum256(rec.GetReport().GetReport()) != r.entry.digest {
			t.Fatalf("message %d: entry (%x, %d) does not describe its record", r.seq, r.entry.pub, r.entry.nonce)
		}
		key := hex.EncodeToString(rep.GetPubKey()) + "/" + strconv.FormatUint(rep.GetNonce(), 10)
		if seen[key] {
			t.Fatalf("device nonce %s is in the log twice", key)
		}
		seen[key] = true
		out[merkle.LeafHash(r.entry.record)] = true
	}
	return out
}

// checkMarks checks the high-water marks the restarted service recovered
// (from the snapshot and the log after it) against the last record of each
// device in the whole log, and that a device's last logged report sent
// again is a duplicate with its logged hash while an earlier one is a replay.
func checkMarks(t *testing.T, svc *Service) {
	t.Helper()
	last := map[[32]byte]logEntry{}
	earlier := map[[32]byte][]byte{}
	for _, r := range logRecords(t, svc) {
		if prev, ok := last[r.entry.pub]; ok {
			earlier[r.entry.pub] = prev.record
		}
		last[r.entry.pub] = r.entry
	}
	if len(svc.devices) != len(last) {
		t.Fatalf("got %d devices recovered, want %d (devices in the log)", len(svc.devices), len(last))
	}
	for pub, e := range last {
		d := svc.devices[pub]
		if d == nil || d.nonce != e.nonce || d.digest != e.digest || d.leaf != merkle.LeafHash(e.record) {
			t.Fatalf("device %x: got mark %+v, want nonce %d from the log", pub, d, e.nonce)
		}
	}
	for pub, e := range last {
		res := resubmit(t, svc, e.record)
		if h := merkle.LeafHash(e.record); res.GetStatus() != ingestv1.Status_STATUS_DUPLICATE || string(res.GetHash()) != string(h[:]) {
			t.Fatalf("device %x: last report again: got %v %x, want duplicate %x", pub, res.GetStatus(), res.GetHash(), h)
		}
		if old := earlier[pub]; old != nil {
			if st := resubmit(t, svc, old).GetStatus(); st != ingestv1.Status_STATUS_REPLAY {
				t.Fatalf("device %x: earlier report again: got %v, want replay", pub, st)
			}
		}
	}
	t.Logf("recovered marks of %d devices match the log", len(last))
}

// resubmit sends the report of a log record again.
func resubmit(t *testing.T, svc *Service, record []byte) *ingestv1.ReportResult {
	t.Helper()
	var rec ingestv1.LogRecord
	if err := proto.Unmarshal(record, &rec); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Submit(context.Background(), []*reportv1.SignedReport{rec.GetReport()})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}
