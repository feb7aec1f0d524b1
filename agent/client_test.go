package agent

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// failure is how the test server fails a request.
type failure int

const (
	failNone        failure = iota
	failUnavailable         // connect error, code unavailable
	failInvalid             // connect error, code invalid_argument
	failHTTP503             // plain HTTP 503, no connect body
	failHTTP500             // plain HTTP 500
	failDrop                // the connection is closed without an answer
)

// testIngest is an ingest server for client tests: it fails the first
// failures requests as told, then verifies each report's signature with
// VerifyReport and answers ACCEPTED or BAD_SIGNATURE.
type testIngest struct {
	mu       sync.Mutex
	fail     failure
	failures int // requests still to fail; -1 fails all
	calls    int
	batches  []int
	entropy  *ingestv1.GetEntropyResponse
	srv      *httptest.Server
}

func newTestIngest(t *testing.T, fail failure, failures int) *testIngest {
	t.Helper()
	ti := &testIngest{fail: fail, failures: failures,
		entropy: &ingestv1.GetEntropyResponse{Entropy: testEntropy(7).Block.Proto(), Window: 180}}
	mux := http.NewServeMux()
	path, h := ingestv1connect.NewIngestServiceHandler(ti)
	mux.Handle(path, ti.middleware(h))
	ti.srv = httptest.NewUnstartedServer(mux)
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	ti.srv.Config.Protocols = &p
	ti.srv.Start()
	t.Cleanup(ti.srv.Close)
	return ti
}

// take counts a call and returns the failure it should see.
func (ti *testIngest) take() failure {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.calls++
	if ti.failures == 0 {
		return failNone
	}
	if ti.failures > 0 {
		ti.failures--
	}
	return ti.fail
}

func (ti *testIngest) middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti.mu.Lock()
		plain := ti.fail == failHTTP503 || ti.fail == failHTTP500 || ti.fail == failDrop
		ti.mu.Unlock()
		if !plain {
			h.ServeHTTP(w, r)
			return
		}
		switch ti.take() {
		case failHTTP503:
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		case failHTTP500:
			http.Error(w, "boom", http.StatusInternalServerError)
		case failDrop:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		default:
			ti.mu.Lock()
			ti.calls-- // counted again by the handler
			ti.mu.Unlock()
			h.ServeHTTP(w, r)
		}
	})
}

func (ti *testIngest) SubmitBatch(_ context.Context, req *connect.Request[ingestv1.SubmitBatchRequest]) (*connect.Response[ingestv1.SubmitBatchResponse], error) {
	switch ti.take() {
	case failUnavailable:
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("log down"))
	case failInvalid:
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("batch too large"))
	}
	ti.mu.Lock()
	ti.batches = append(ti.batches, len(req.Msg.GetReports()))
	ti.mu.Unlock()
	res := make([]*ingestv1.ReportResult, len(req.Msg.GetReports()))
	for i, sr := range req.Msg.GetReports() {
		if _, err := VerifyReport(sr); err != nil {
			res[i] = &ingestv1.ReportResult{Status: ingestv1.Status_STATUS_BAD_SIGNATURE, Message: err.Error()}
			continue
		}
		res[i] = &ingestv1.ReportResult{Status: ingestv1.Status_STATUS_ACCEPTED, Hash: make([]byte, 32)}
	}
	return connect.NewResponse(&ingestv1.SubmitBatchResponse{Results: res}), nil
}

func (ti *testIngest) GetEntropy(context.Context, *connect.Request[ingestv1.GetEntropyRequest]) (*connect.Response[ingestv1.GetEntropyResponse], error) {
	if ti.take() == failUnavailable {
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("no head"))
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return connect.NewResponse(ti.entropy), nil
}

func (ti *testIngest) stats() (calls int, batches []int) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return ti.calls, append([]int(nil), ti.batches...)
}

func testClientConfig(url string) ClientConfig {
	cfg := DefaultClientConfig()
	cfg.URL = url
	cfg.InitialBackoff = time.Millisecond
	cfg.MaxBackoff = 4 * time.Millisecond
	cfg.Timeout = 5 * time.Second
	cfg.FlushInterval = 20 * time.Millisecond
	return cfg
}

func newTestClient(t *testing.T, cfg ClientConfig, onResult func(Result)) *Client {
	t.Helper()
	c, err := NewClient(cfg, ClientOptions{OnResult: onResult})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// heartbeats returns n signed heartbeats of one device.
func heartbeats(t *testing.T, n int) []*reportv1.SignedReport {
	t.Helper()
	b := testBuilder(t, 9)
	out := make([]*reportv1.SignedReport, n)
	for i := range out {
		sr, err := b.Build(testEntropy(7), "coverage", "heartbeat", &coveragev1.Heartbeat{Cell: 0x8c1f1d4a8c8a9ff, Uptime: uint64(i)})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = sr
	}
	return out
}

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name     string
		fail     failure
		failures int
	}{
		{"no failure", failNone, 0},
		{"connect unavailable", failUnavailable, 3},
		{"http 503", failHTTP503, 2},
		{"http 500", failHTTP500, 2},
		{"connection dropped", failDrop, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ti := newTestIngest(t, tt.fail, tt.failures)
			c := newTestClient(t, testClientConfig(ti.srv.URL), nil)
			reps := heartbeats(t, 3)
			res, err := c.SubmitBatch(context.Background(), reps)
			if err != nil {
				t.Fatalf("SubmitBatch: %v", err)
			}
			for i, r := range res {
				if !r.Accepted() || r.Attempts != tt.failures+1 || r.Report != reps[i] {
					t.Errorf("result %d: got accepted %v after %d attempts, want accepted after %d", i, r.Accepted(), r.Attempts, tt.failures+1)
				}
			}
			calls, _ := ti.stats()
			if calls != tt.failures+1 {
				t.Errorf("got %d calls, want %d", calls, tt.failures+1)
			}
			if got := c.Stats().Retries; got != uint64(tt.failures) {
				t.Errorf("got %d retries, want %d", got, tt.failures)
			}
		})
	}
}

func TestClientDoesNotRetryRefusal(t *testing.T) {
	ti := newTestIngest(t, failInvalid, -1)
	c := newTestClient(t, testClientConfig(ti.srv.URL), nil)
	res, err := c.SubmitBatch(context.Background(), heartbeats(t, 2))
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("got %v, want invalid_argument", err)
	}
	if calls, _ := ti.stats(); calls != 1 {
		t.Errorf("got %d calls, want 1", calls)
	}
	if len(res) != 2 || res[0].Err == nil || res[0].Accepted() {
		t.Errorf("got results %+v, want 2 failed", res)
	}
}

func TestClientGivesUp(t *testing.T) {
	ti := newTestIngest(t, failUnavailable, -1)
	cfg := testClientConfig(ti.srv.URL)
	cfg.MaxAttempts = 3
	c := newTestClient(t, cfg, nil)
	if _, err := c.SubmitBatch(context.Background(), heartbeats(t, 1)); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("got %v, want unavailable", err)
	}
	if calls, _ := ti.stats(); calls != 3 {
		t.Errorf("got %d calls, want 3", calls)
	}
	if _, err := c.GetEntropy(context.Background()); err == nil {
		t.Error("GetEntropy: got nil error, want one")
	}
}

func TestClientStopsOnCancel(t *testing.T) {
	ti := newTestIngest(t, failUnavailable, -1)
	cfg := testClientConfig(ti.srv.URL)
	cfg.MaxAttempts = 0 // forever
	c := newTestClient(t, cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.SubmitBatch(ctx, heartbeats(t, 1))
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if calls, _ := ti.stats(); calls >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server never saw two attempts")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SubmitBatch did not return after cancel")
	}
}

func TestClientSurfacesRejections(t *testing.T) {
	ti := newTestIngest(t, failNone, 0)
	c := newTestClient(t, testClientConfig(ti.srv.URL), nil)
	reps := heartbeats(t, 3)
	reps[1].Signature[0] ^= 1
	res, err := c.SubmitBatch(context.Background(), reps)
	if err != nil {
		t.Fatal(err)
	}
	want := []ingestv1.Status{ingestv1.Status_STATUS_ACCEPTED, ingestv1.Status_STATUS_BAD_SIGNATURE, ingestv1.Status_STATUS_ACCEPTED}
	for i, r := range res {
		if r.Status != want[i] || r.Accepted() != (i != 1) {
			t.Errorf("result %d: got %v, want %v", i, r.Status, want[i])
		}
	}
	if res[1].Message == "" {
		t.Error("rejection has no message")
	}
	if calls, _ := ti.stats(); calls != 1 {
		t.Errorf("got %d calls, want 1 (rejections are not retried)", calls)
	}
}

func TestClientRunBatches(t *testing.T) {
	ti := newTestIngest(t, failNone, 0)
	cfg := testClientConfig(ti.srv.URL)
	cfg.BatchSize = 4
	var mu sync.Mutex
	var got []Result
	c := newTestClient(t, cfg, func(r Result) {
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	reps := heartbeats(t, 10)
	for _, sr := range reps {
		if err := c.Enqueue(sr); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == len(reps) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d results, want %d", n, len(reps))
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: got %v, want context.Canceled", err)
	}
	for i, r := range got {
		if r.Report != reps[i] || !r.Accepted() {
			t.Errorf("result %d: got %v for another report or rejected", i, r.Status)
		}
	}
	_, batches := ti.stats()
	total := 0
	for _, n := range batches {
		if n > cfg.BatchSize {
			t.Errorf("got a batch of %d, want at most %d", n, cfg.BatchSize)
		}
		total += n
	}
	if total != len(reps) {
		t.Errorf("got %d reports sent, want %d", total, len(reps))
	}
}

func TestClientQueueBoundAndFlush(t *testing.T) {
	ti := newTestIngest(t, failNone, 0)
	cfg := testClientConfig(ti.srv.URL)
	cfg.QueueSize = 2
	var got []Result
	c := newTestClient(t, cfg, func(r Result) { got = append(got, r) })
	reps := heartbeats(t, 3)
	for i, sr := range reps {
		err := c.Enqueue(sr)
		if want := i == 2; errors.Is(err, ErrQueueFull) != want {
			t.Errorf("enqueue %d: got %v, want queue full %v", i, err, want)
		}
	}
	if s := c.Stats(); s.Dropped != 1 {
		t.Errorf("got %d dropped, want 1", s.Dropped)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || c.Pending() != 0 {
		t.Errorf("got %d results and %d pending, want 2 and 0", len(got), c.Pending())
	}
}

func TestClientProtocols(t *testing.T) {
	ti := newTestIngest(t, failNone, 0)
	for _, p := range []string{ProtocolConnect, ProtocolJSON, ProtocolGRPC} {
		t.Run(p, func(t *testing.T) {
			cfg := testClientConfig(ti.srv.URL)
			cfg.Protocol = p
			c := newTestClient(t, cfg, nil)
			ent, err := c.GetEntropy(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if ent != testEntropy(7).withWindow(180) {
				t.Errorf("got entropy %+v, want %+v", ent, testEntropy(7))
			}
			res, err := c.SubmitBatch(context.Background(), heartbeats(t, 2))
			if err != nil || len(res) != 2 || !res[0].Accepted() {
				t.Errorf("SubmitBatch: got %v %+v, want 2 accepted", err, res)
			}
		})
	}
}

func (e Entropy) withWindow(w int64) Entropy { e.Window = w; return e }

func TestClientBadEntropy(t *testing.T) {
	ti := newTestIngest(t, failNone, 0)
	ti.entropy = &ingestv1.GetEntropyResponse{Entropy: &reportv1.BlockRef{Height: 3, Hash: []byte{1, 2}}}
	c := newTestClient(t, testClientConfig(ti.srv.URL), nil)
	if _, err := c.GetEntropy(context.Background()); !errors.Is(err, ErrBadResponse) {
		t.Errorf("got %v, want ErrBadResponse", err)
	}
}

func TestBackoff(t *testing.T) {
	cfg := DefaultClientConfig()
	cfg.InitialBackoff = 100 * time.Millisecond
	cfg.MaxBackoff = time.Second
	for _, top := range []bool{false, true} {
		c, err := NewClient(cfg, ClientOptions{Jitter: func(n int64) int64 {
			if top {
				return n - 1
			}
			return 0
		}})
		if err != nil {
			t.Fatal(err)
		}
		bases := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000}
		for i, base := range bases {
			base *= time.Millisecond
			want := base / 2
			if top {
				want = base
			}
			if got := c.backoff(i + 1); got != want {
				t.Errorf("retry %d (top %v): got %v, want %v", i+1, top, got, want)
			}
		}
	}
}

func TestClientConfigValidate(t *testing.T) {
	mod := func(f func(*ClientConfig)) ClientConfig {
		c := DefaultClientConfig()
		f(&c)
		return c
	}
	for name, c := range map[string]ClientConfig{
		"url":      mod(func(c *ClientConfig) { c.URL = "127.0.0.1:9090" }),
		"protocol": mod(func(c *ClientConfig) { c.Protocol = "carrier-pigeon" }),
		"batch":    mod(func(c *ClientConfig) { c.BatchSize = 0 }),
		"queue":    mod(func(c *ClientConfig) { c.QueueSize = 0 }),
		"backoff":  mod(func(c *ClientConfig) { c.MaxBackoff = c.InitialBackoff / 2 }),
		"attempts": mod(func(c *ClientConfig) { c.MaxAttempts = -1 }),
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: got nil error, want one", name)
		}
	}
	if err := DefaultClientConfig().Validate(); err != nil {
		t.Errorf("default: %v", err)
	}
}

// TestClientRunKeepsInDoubtBatch stops Run while it retries a batch, then
// checks that Flush sends that batch once the server recovers.
func TestClientRunKeepsInDoubtBatch(t *testing.T) {
	ti := newTestIngest(t, failUnavailable, -1)
	cfg := testClientConfig(ti.srv.URL)
	cfg.MaxAttempts = 0
	var got []Result
	c := newTestClient(t, cfg, func(r Result) { got = append(got, r) })
	reps := heartbeats(t, 2)
	for _, sr := range reps {
		if err := c.Enqueue(sr); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if calls, _ := ti.stats(); calls >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server never saw two attempts")
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: got %v, want context.Canceled", err)
	}
	if len(got) != 0 || c.Pending() != 2 {
		t.Fatalf("after stop: got %d results and %d pending, want 0 and 2", len(got), c.Pending())
	}
	ti.mu.Lock()
	ti.failures = 0
	ti.mu.Unlock()
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d results, want 2", len(got))
	}
	for i, r := range got {
		if !r.Accepted() || r.Report != reps[i] || r.Attempts < 3 {
			t.Errorf("result %d: got accepted %v after %d attempts, want accepted after at least 3", i, r.Accepted(), r.Attempts)
		}
	}
}
