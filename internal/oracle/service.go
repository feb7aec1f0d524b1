package oracle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/score"
)

// Config configures the oracle service. cmd loads it from TOML.
type Config struct {
	// DataDir holds the published outputs (objects/ and epochs/).
	DataDir string `toml:"data_dir"`
	// ListenAddr is the HTTP API address; "" serves nothing.
	ListenAddr string `toml:"listen_addr"`
	// PollInterval is how often the chain is asked for finished epochs.
	PollInterval time.Duration `toml:"poll_interval"`
	// StartEpoch is the first epoch scored when the data dir is empty.
	StartEpoch uint64 `toml:"start_epoch"`
	// WindowSlack widens each epoch's receive window beyond the block times
	// of its first and last heights (ingest's clock against block time).
	WindowSlack time.Duration `toml:"window_slack"`
	// CacheEpochs is how many epochs' explanations stay in memory.
	CacheEpochs int `toml:"cache_epochs"`
	// CORSAllowedOrigins lets browser pages from these origins ("*": any)
	// read the API; empty (the default) turns CORS off.
	CORSAllowedOrigins []string `toml:"cors_allowed_origins"`
}

// DefaultConfig returns the settings of a local node.
func DefaultConfig() Config {
	return Config{
		DataDir:      "oracle",
		ListenAddr:   "127.0.0.1:26680",
		PollInterval: 2 * time.Second,
		WindowSlack:  30 * time.Second,
		CacheEpochs:  4,
	}
}

// Service is the oracle: it scores every finished epoch once its segment
// grace window has passed, stores and serves the outputs, and submits the
// root. Create it with New, drive it with Run, stop it with Close.
type Service struct {
	cfg    Config
	ledger Ledger
	segs   SegmentSource
	kinds  *kind.Registry
	geo    kind.Geo
	log    *slog.Logger
	store  *store
	ln     net.Listener
	srv    *http.Server
	m      *metrics

	mu    sync.Mutex
	next  uint64                         // next epoch to score
	cache map[uint64][]score.Explanation // explanations by epoch
	order []uint64                       // cache insertion order
}

// New opens the data dir and, if ListenAddr is set, the listener.
func New(cfg Config, l Ledger, segs SegmentSource, kinds *kind.Registry, geo kind.Geo, logger *slog.Logger) (*Service, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultConfig().PollInterval
	}
	if cfg.CacheEpochs <= 0 {
		cfg.CacheEpochs = 1
	}
	st, err := openStore(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, ledger: l, segs: segs, kinds: kinds, geo: geo, log: logger.With("subsystem", "oracle"), store: st, m: newMetrics(),
		next: cfg.StartEpoch, cache: map[uint64][]score.Explanation{}}
	if n, ok, err := st.latest(); err != nil {
		return nil, err
	} else if ok {
		s.next = n + 1
	}
	if cfg.ListenAddr != "" {
		ln, err := net.Listen("tcp", cfg.ListenAddr)
		if err != nil {
			return nil, fmt.Errorf("oracle: listen: %w", err)
		}
		s.ln = ln
		// The JSON API's timeouts (a slow client cannot hold a connection),
		// with room to write a large bundle or segment.
		s.srv = &http.Server{Handler: apidoc.CORS(cfg.CORSAllowedOrigins, s.Handler()), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 5 * time.Minute, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	}
	return s, nil
}

// Addr is the HTTP API's address, or "" when it serves nothing.
func (s *Service) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Run serves the API and scores epochs until ctx ends or Close is called.
func (s *Service) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	if s.srv != nil {
		go func() {
			if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("oracle: serve: %w", err)
			}
		}()
	}
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		for {
			done, err := s.Step(ctx)
			if err != nil {
				s.m.stepErrors.Inc()
				s.log.Warn("oracle: step", "epoch", s.Next(), "err", err)
			}
			if !done || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return err
		case <-t.C:
		}
	}
}

// Close stops the HTTP server.
func (s *Service) Close() error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// Next is the next epoch the service will score.
func (s *Service) Next() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}

// Step submits a pending root, or scores the next epoch if its grace
// window has passed. It reports whether an epoch was scored and submitted.
func (s *Service) Step(ctx context.Context) (bool, error) {
	n := s.Next()
	if n > 0 {
		if rec, err := s.store.record(n - 1); err == nil && !rec.Submitted {
			if err := s.submit(ctx, rec); err != nil {
				return false, err
			}
		}
	}
	info, err := s.ledger.Epoch(ctx, n)
	if errors.Is(err, score.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	height, err := s.ledger.Height(ctx)
	if err != nil {
		return false, err
	}
	grace, err := s.ledger.GraceBlocks(ctx)
	if err != nil {
		return false, err
	}
	if !info.Ended || height <= info.EndHeight+grace {
		return false, nil
	}
	var prior *Published
	if n > 0 {
		rec, err := s.store.record(n - 1)
		switch {
		case err == nil:
			if prior, err = s.store.prior(rec.Epoch); err != nil {
				return false, err
			}
		case !errors.Is(err, score.ErrNotFound):
			return false, err
		default:
			// Scoring on without the settled prior manifest would reset
			// every cumulative total.
			if _, serr := s.ledger.Settlement(ctx, n-1); serr == nil {
				return false, fmt.Errorf("oracle: epoch %d: epoch %d is settled but its outputs are not in %s", n, n-1, s.cfg.DataDir)
			}
		}
	}
	start := time.Now()
	pub, err := Prepare(ctx, s.ledger, s.segs, s.kinds, n, prior, s.cfg.WindowSlack, s.geo)
	if err != nil {
		return false, err
	}
	s.m.epochScored(pub.Output.Summary, time.Since(start))
	rec, err := s.store.save(pub, false)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	s.next = n + 1
	s.remember(n, pub.Output.Devices)
	s.mu.Unlock()
	sum := pub.Output.Summary
	s.log.Info("oracle: scored epoch", "epoch", n, "root", sum.Root, "reports", sum.Reports, "valid", sum.Valid,
		"devices_paid", sum.DevicesPaid, "device_total", sum.DeviceTotal, "inputs_hash", sum.InputsHash)
	if err := s.submitPublished(ctx, rec, pub); err != nil {
		return false, err
	}
	return true, nil
}

func (s *Service) submitPublished(ctx context.Context, rec *epochRecord, pub *Published) error {
	if err := s.ledger.SubmitRoot(ctx, pub.Submission()); err != nil {
		return fmt.Errorf("oracle: submit root of epoch %d: %w", pub.Epoch, err)
	}
	rec.Submitted = true
	s.m.submitted.Inc()
	if err := s.store.putRecord(rec); err != nil {
		return err
	}
	s.log.Info("oracle: submitted root", "epoch", pub.Epoch, "root", rec.Root)
	return nil
}

// submit retries the submission of a stored epoch.
func (s *Service) submit(ctx context.Context, rec *epochRecord) error {
	mb, err := s.store.get(rec.Manifest)
	if err != nil {
		return err
	}
	bb, err := s.store.get(rec.Bundle)
	if err != nil {
		return err
	}
	m, err := decodeManifestFor(rec.Epoch, mb)
	if err != nil {
		return err
	}
	b, err := score.DecodeBundle(bb)
	if err != nil {
		return err
	}
	// The pool totals are recomputed from the stored summary.
	sum, err := s.summary(rec)
	if err != nil {
		return err
	}
	pub := &Published{Epoch: rec.Epoch, BundleHash: score.BundleHash(bb)}
	pub.Output.Root = m.Root()
	pub.Output.Reward.ScorerVersion = b.ScorerVersion
	for _, p := range sum.Pools {
		pub.Output.Reward.Pools = append(pub.Output.Reward.Pools, poolTotalOf(p))
	}
	return s.submitPublished(ctx, rec, pub)
}

// remember caches an epoch's explanations; s.mu is held.
func (s *Service) remember(n uint64, list []score.Explanation) {
	if _, ok := s.cache[n]; ok {
		return
	}
	s.cache[n] = list
	s.order = append(s.order, n)
	for len(s.order) > s.cfg.CacheEpochs {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
}
