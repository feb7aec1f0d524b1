package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/sig"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// fleet is a set of test devices with deterministic keys.
type fleet struct {
	keys   []sig.PrivateKey
	nonces []uint64
}

func newFleet(n int) *fleet {
	f := &fleet{keys: make([]sig.PrivateKey, n), nonces: make([]uint64, n)}
	for i := range n {
		seed := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/ingest/test-fleet"), uint64(i)))
		f.keys[i] = sig.KeyFromSeed(seed[:])
	}
	return f
}

func (f *fleet) pub(i int) []byte { return sig.PublicOf(f.keys[i]) }

func (f *fleet) register(r *MemRegistry) {
	for i := range f.keys {
		r.Put(f.pub(i), DeviceInfo{})
	}
}

// heartbeat returns a signed heartbeat of device i with its next nonce.
func (f *fleet) heartbeat(i int, ent *reportv1.BlockRef) *reportv1.SignedReport {
	f.nonces[i]++
	return signRep(f.keys[i], &reportv1.Report{
		PubKey: f.pub(i), Nonce: f.nonces[i], Timestamp: testTS + int64(f.nonces[i]),
		Entropy: ent,
		Kind:    "coverage", Type: "heartbeat", Body: mustBody(&coveragev1.Heartbeat{Cell: 0x8928308280fffff, Uptime: f.nonces[i]}),
	})
}

func signRep(priv sig.PrivateKey, rep *reportv1.Report) *reportv1.SignedReport {
	b, err := proto.Marshal(rep)
	if err != nil {
		panic(err)
	}
	return &reportv1.SignedReport{Report: b, Signature: sig.Sign(priv, Domain, b)}
}

// blockHash is the test chain's hash of height.
func blockHash(h int64) []byte {
	s := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/ingest/test-chain"), uint64(h)))
	return s[:]
}

// testChain returns a chain of n blocks.
func testChain(n int64) *MemEntropy {
	e := NewMemEntropy()
	for h := int64(1); h <= n; h++ {
		e.Append(blockHash(h))
	}
	return e
}

func ref(e *MemEntropy) *reportv1.BlockRef {
	h := e.Height()
	hash, _ := e.BlockHash(h)
	return &reportv1.BlockRef{Height: h, Hash: hash}
}

// clock is a manual clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: testEpoch} }

// testOracle is the key of the test chain's one oracle.
var testOracle = sig.KeyFromSeed(bytes.Repeat([]byte{0x0c}, 32))

// testEpoch is the test clock's start and testTS the device timestamp the
// tests' reports carry: near the wall clock, as ingest bounds the distance
// of device timestamps from its own clock (Config.MaxTimestampSkew) and
// some tests run ingest on time.Now.
var (
	testEpoch = time.Now().Truncate(time.Second)
	testTS    = testEpoch.UnixNano()
)

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a service under test with its dependencies.
type env struct {
	svc       *Service
	cfg       Config
	deps      Deps
	reg       *MemRegistry
	chain     *MemEntropy
	committer *RecordingCommitter
	clock     *clock
}

func testConfig(t testing.TB) Config {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.ListenAddr = "127.0.0.1:0"
	return cfg
}

func newEnv(t testing.TB, cfg Config, f *fleet) *env {
	t.Helper()
	e := &env{cfg: cfg, reg: NewMemRegistry(), chain: testChain(100), committer: &RecordingCommitter{}, clock: newClock()}
	if f != nil {
		f.register(e.reg)
	}
	e.deps = Deps{Oracles: NewMemOracles(sig.PublicOf(testOracle)), Registry: e.reg, Kinds: testKinds, Entropy: e.chain, Epochs: FixedEpochs{Length: 1000}, Committer: e.committer, Now: e.clock.Now}
	e.start(t)
	return e
}

func (e *env) start(t testing.TB) {
	t.Helper()
	svc, err := New(e.cfg, e.deps, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.svc = svc
	t.Cleanup(func() { svc.Close() })
}

// run starts Run in the background and returns a function that stops it.
func (e *env) run(t testing.TB) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// loggedRecord is one record of the log with the message that holds it.
type loggedRecord struct {
	seq   uint64
	entry logEntry
}

// logRecords reads every record of the service's log, in order.
func logRecords(t testing.TB, svc *Service) []loggedRecord {
	t.Helper()
	ctx := context.Background()
	_, last, err := svc.log.Bounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []loggedRecord
	err = scanLog(ctx, svc.log, 1, last, func(msg Message) error {
		lb, err := readBatch(msg.Data)
		if err != nil {
			return nil // quarantined: not a record of the log
		}
		for _, e := range lb.entries {
			out = append(out, loggedRecord{seq: msg.Seq, entry: e})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
