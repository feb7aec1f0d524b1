package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Protocols the client speaks to ingest; all are served on one port.
const (
	// ProtocolConnect is the Connect protocol with binary protobuf.
	ProtocolConnect = "connect"
	// ProtocolJSON is the Connect protocol with JSON, over HTTP/1.1.
	ProtocolJSON = "json"
	// ProtocolGRPC is gRPC, over h2c for http:// URLs and HTTP/2 for https://.
	ProtocolGRPC = "grpc"
)

// Client errors callers branch on.
var (
	// ErrQueueFull is returned by Enqueue when the queue is full.
	ErrQueueFull = errors.New("queue full")
	// ErrBadResponse is wrapped when ingest's answer does not fit the request.
	ErrBadResponse = errors.New("bad response")
)

// Result is the outcome of one submitted report.
//
// A report answered ACCEPTED or DUPLICATE is in ingest's durable log
// (Accepted). If a batch was sent more than once (Attempts > 1) because an
// answer was lost, ingest may have stored it the first time: the last report
// of each device in the batch then comes back DUPLICATE and that device's
// earlier reports in the batch REPLAY.
type Result struct {
	Report *reportv1.SignedReport
	// Status and Message are ingest's verdict; UNSPECIFIED when Err is set.
	Status  ingestv1.Status
	Message string
	// Hash is the report's leaf hash in the segment Merkle tree.
	Hash []byte
	// Attempts is how many times the batch was sent.
	Attempts int
	// Err is set when the batch failed as a whole (retries exhausted,
	// refused, or the context ended).
	Err error
}

// Accepted reports whether the report is in ingest's durable log.
func (r Result) Accepted() bool {
	return r.Err == nil && (r.Status == ingestv1.Status_STATUS_ACCEPTED || r.Status == ingestv1.Status_STATUS_DUPLICATE)
}

// ClientStats counts what a client did.
type ClientStats struct {
	// Dropped counts reports Enqueue refused because the queue was full.
	Dropped uint64
	// Accepted and Rejected count per-report verdicts; Failed counts
	// reports of batches that failed as a whole.
	Accepted, Rejected, Failed uint64
	// Retries counts requests sent again after a retryable failure.
	Retries uint64
}

// ClientOptions are a client's collaborators; every field is optional.
type ClientOptions struct {
	// HTTPClient carries the requests; by default one suited to the
	// protocol (h2c for gRPC over http://).
	HTTPClient *http.Client
	// Logger receives the client's logs (discarded if nil).
	Logger *slog.Logger
	// OnResult is called, from Run's goroutine, with the outcome of every
	// report sent by Run or Flush.
	OnResult func(Result)
	// Jitter returns a uniform integer in [0, n); math/rand/v2 by default.
	Jitter func(n int64) int64
}

// Client submits signed reports to an ingest service.
type Client struct {
	cfg    ClientConfig
	rpc    ingestv1connect.IngestServiceClient
	logger *slog.Logger
	onRes  func(Result)
	jitter func(int64) int64
	queue  chan *reportv1.SignedReport

	mu       sync.Mutex
	leftover []*reportv1.SignedReport // the batch Run held when it stopped
	tried    int                      // attempts already made to send leftover

	dropped, accepted, rejected, failed, retries atomic.Uint64
}

// NewClient returns a client of the ingest service at cfg.URL.
func NewClient(cfg ClientConfig, opts ClientOptions) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient(cfg.Protocol)
	}
	var copts []connect.ClientOption
	switch cfg.Protocol {
	case ProtocolJSON:
		copts = append(copts, connect.WithProtoJSON())
	case ProtocolGRPC:
		copts = append(copts, connect.WithGRPC())
	}
	c := &Client{
		cfg:    cfg,
		rpc:    ingestv1connect.NewIngestServiceClient(hc, cfg.URL, copts...),
		logger: opts.Logger,
		onRes:  opts.OnResult,
		jitter: opts.Jitter,
		queue:  make(chan *reportv1.SignedReport, cfg.QueueSize),
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.logger = c.logger.With("component", "agent.client")
	if c.onRes == nil {
		c.onRes = func(Result) {}
	}
	if c.jitter == nil {
		c.jitter = rand.Int64N
	}
	return c, nil
}

func defaultHTTPClient(protocol string) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if protocol == ProtocolGRPC {
		var p http.Protocols
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
		t.Protocols = &p
	}
	return &http.Client{Transport: t}
}

// Stats returns the client's counters.
func (c *Client) Stats() ClientStats {
	return ClientStats{
		Dropped: c.dropped.Load(), Accepted: c.accepted.Load(), Rejected: c.rejected.Load(),
		Failed: c.failed.Load(), Retries: c.retries.Load(),
	}
}

// Enqueue queues a report for Run to send. It never blocks: when the queue
// is full it returns ErrQueueFull and the report is not sent (its nonce is
// simply skipped).
func (c *Client) Enqueue(sr *reportv1.SignedReport) error {
	select {
	case c.queue <- sr:
		return nil
	default:
		c.dropped.Add(1)
		return fmt.Errorf("agent: enqueue: %w (%d reports)", ErrQueueFull, cap(c.queue))
	}
}

// Pending is the number of queued reports not yet sent.
func (c *Client) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue) + len(c.leftover)
}

// Run sends queued reports until ctx ends, in batches of at most
// Config.BatchSize, each sent at the latest Config.FlushInterval after its
// first report was taken from the queue. Outcomes go to OnResult. When ctx
// ends Run keeps the batch it was collecting or sending (whose fate is then
// in doubt) for Flush and returns ctx.Err().
// Run must not be called concurrently with itself or Flush.
func (c *Client) Run(ctx context.Context) error {
	var batch []*reportv1.SignedReport
	var timer *time.Timer
	var due <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			c.mu.Lock()
			c.leftover = append(c.leftover, batch...)
			c.mu.Unlock()
			return ctx.Err()
		case sr := <-c.queue:
			batch = append(batch, sr)
			if len(batch) == 1 {
				timer = time.NewTimer(c.cfg.FlushInterval)
				due = timer.C
			}
			if len(batch) < c.cfg.BatchSize {
				continue
			}
			timer.Stop()
		case <-due:
		}
		due = nil
		res, err := c.SubmitBatch(ctx, batch)
		if err != nil && ctx.Err() != nil {
			// Stopped mid-send: keep what is in doubt for Flush.
			sent := 0
			for sent < len(res) && res[sent].Err == nil {
				sent++
			}
			c.deliver(res[:sent], nil)
			c.mu.Lock()
			c.leftover = append(c.leftover, batch[sent:]...)
			c.tried = res[sent].Attempts
			c.mu.Unlock()
			return ctx.Err()
		}
		c.deliver(res, err)
		batch = nil
	}
}

// Flush sends the batch Run held when it stopped and everything queued,
// until done or ctx ends. Call it after Run returned, with a fresh context,
// to drain the queue on shutdown.
func (c *Client) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch, tried := c.leftover, c.tried
	c.leftover, c.tried = nil, 0
	c.mu.Unlock()
	nLeft := len(batch)
	for {
	fill:
		for len(batch) < c.cfg.BatchSize {
			select {
			case sr := <-c.queue:
				batch = append(batch, sr)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			return nil
		}
		res, err := c.SubmitBatch(ctx, batch)
		// Reports Run had already tried count those attempts too, so a
		// DUPLICATE or REPLAY of them reads as what it is.
		for i := range min(nLeft, len(res)) {
			res[i].Attempts += tried
		}
		nLeft = 0
		c.deliver(res, err)
		if err != nil {
			return err
		}
		batch = nil
	}
}

// deliver counts and hands out the outcomes of a batch.
func (c *Client) deliver(res []Result, err error) {
	for _, r := range res {
		switch {
		case r.Err != nil:
			c.failed.Add(1)
		case r.Accepted():
			c.accepted.Add(1)
		default:
			c.rejected.Add(1)
			c.logger.Warn("agent: report rejected", "status", r.Status.String(), "message", r.Message)
		}
		c.onRes(r)
	}
	if err != nil {
		c.logger.Error("agent: submit batch failed", "reports", len(res), "err", err)
	}
}

// SubmitBatch sends reports now, in requests of at most Config.BatchSize,
// retrying each request on transport and unavailable/5xx failures. It
// returns one Result per report, in order. If a request fails for good, its
// reports and those after it carry the error in Result.Err and SubmitBatch
// returns it too.
func (c *Client) SubmitBatch(ctx context.Context, reports []*reportv1.SignedReport) ([]Result, error) {
	out := make([]Result, 0, len(reports))
	for start := 0; start < len(reports); start += c.cfg.BatchSize {
		chunk := reports[start:min(start+c.cfg.BatchSize, len(reports))]
		var resp *ingestv1.SubmitBatchResponse
		attempts, err := c.retry(ctx, "submit batch", func(ctx context.Context) error {
			r, err := c.rpc.SubmitBatch(ctx, connect.NewRequest(&ingestv1.SubmitBatchRequest{Reports: chunk}))
			if err != nil {
				return err
			}
			resp = r.Msg
			return nil
		})
		if err == nil && len(resp.GetResults()) != len(chunk) {
			err = fmt.Errorf("agent: submit batch: %w: %d results for %d reports", ErrBadResponse, len(resp.GetResults()), len(chunk))
		}
		if err != nil {
			for _, sr := range reports[start:] {
				out = append(out, Result{Report: sr, Attempts: attempts, Err: err})
			}
			return out, err
		}
		for i, r := range resp.GetResults() {
			out = append(out, Result{
				Report: chunk[i], Status: r.GetStatus(), Message: r.GetMessage(),
				Hash: r.GetHash(), Attempts: attempts,
			})
		}
	}
	return out, nil
}

// GetEntropy asks ingest for the block reports should answer now, retrying
// like SubmitBatch.
func (c *Client) GetEntropy(ctx context.Context) (Entropy, error) {
	var resp *ingestv1.GetEntropyResponse
	_, err := c.retry(ctx, "get entropy", func(ctx context.Context) error {
		r, err := c.rpc.GetEntropy(ctx, connect.NewRequest(&ingestv1.GetEntropyRequest{}))
		if err != nil {
			return err
		}
		resp = r.Msg
		return nil
	})
	if err != nil {
		return Entropy{}, err
	}
	b := resp.GetEntropy()
	if b.GetHeight() <= 0 || len(b.GetHash()) != 32 || resp.GetWindow() < 0 {
		return Entropy{}, fmt.Errorf("agent: get entropy: %w: height %d, %d-byte hash, window %d", ErrBadResponse, b.GetHeight(), len(b.GetHash()), resp.GetWindow())
	}
	return Entropy{Block: BlockRef{Height: b.GetHeight(), Hash: [32]byte(b.GetHash())}, Window: resp.GetWindow()}, nil
}

// validURL reports whether s is an absolute http or https URL.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
