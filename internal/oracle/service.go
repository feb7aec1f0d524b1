package oracle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/replay"
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
	// StartEpoch is the first epoch scored when the data dir is empty. An
	// oracle never scores an epoch the chain settled without it: it joins
	// at the chain's next epoch to settle, loading the settled result before
	// it from the data dir or Peers.
	StartEpoch uint64 `toml:"start_epoch"`
	// Peers are other oracles' API base URLs (http://host:port). When the
	// previous epoch's settled manifest and states are not in the data dir
	// (a fresh start) or differ from the chain's settlement (this oracle
	// disagreed, or its data was damaged), they are loaded from a peer and
	// checked against the chain.
	Peers []string `toml:"peers"`
	// WindowSlack is no longer read: the receive-time slack is the governed
	// parameter reward.window_slack_ms, recorded in each epoch as it ends,
	// so that every oracle uses the same. Kept so that existing app.toml
	// files load.
	WindowSlack time.Duration `toml:"window_slack"`
	// CacheEpochs is how many epochs' explanations stay in memory, for
	// epochs stored before issue 18 as one JSON array (later ones are read
	// from disk one device at a time).
	CacheEpochs int `toml:"cache_epochs"`
	// CORSAllowedOrigins lets browser pages from these origins ("*": any)
	// read the API; empty (the default) turns CORS off.
	CORSAllowedOrigins []string `toml:"cors_allowed_origins"`
	// MemoryLimitCapMiB caps the soft memory limit (runtime/debug) the
	// process runs under while it scores an epoch: the heap the process
	// holds live before the epoch plus twice the epoch's estimated live heap
	// (its committed report count times score.OracleBytesPerReport), at
	// least 256 MiB over that, at most this cap in all
	// (score.MemoryLimitOver), so that a large epoch's heap stays near what
	// it holds live instead of growing to twice that between collections.
	// An epoch whose estimated live heap does not fit under the cap beside
	// the process's gets no limit. The
	// limit before is restored once the epoch is saved. 0 sets no limit;
	// GOMEMLIMIT in the environment, when set, wins.
	MemoryLimitCapMiB int64 `toml:"memory_limit_cap_mib"`
}

// DefaultConfig returns the settings of a local node.
func DefaultConfig() Config {
	return Config{
		DataDir:           "oracle",
		ListenAddr:        "127.0.0.1:26680",
		PollInterval:      2 * time.Second,
		CacheEpochs:       4,
		MemoryLimitCapMiB: score.DefaultMemoryLimitCap >> 20,
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

	// peers serve settled results this oracle lacks (Config.Peers, AddPeer).
	peers []SettledSource

	mu     sync.Mutex
	fresh  bool                           // the data dir held no epoch at start
	status Status                         // what Step last did
	next   uint64                         // next epoch to score
	cache  map[uint64][]score.Explanation // explanations of old records (one JSON array) by epoch
	order  []uint64                       // cache insertion order

	heapLive func() uint64 // the live heap the epoch's memory limit adds to; nil: liveHeap
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
	s.status = Status{NextEpoch: s.next, State: StateStarting}
	for _, u := range cfg.Peers {
		s.peers = append(s.peers, replay.NewHTTPSource(u, ""))
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

// AddPeer adds a source of settled results (another oracle's API).
func (s *Service) AddPeer(p SettledSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peers = append(s.peers, p)
}

// Step submits a pending root, or scores the next epoch once its grace
// window has passed and the epoch before it is settled. It reports whether
// an epoch was scored and submitted. While the previous epoch is unsettled
// it waits (false, nil); when the previous epoch's settled result is
// neither in the data dir nor served by a peer it refuses with an error
// wrapping ErrPriorMismatch. Status says which.
func (s *Service) Step(ctx context.Context) (bool, error) {
	if err := s.join(ctx); err != nil {
		return false, err
	}
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
		s.setStatus(Status{NextEpoch: n, State: StateWaitingEpoch, Detail: fmt.Sprintf("epoch %d has not started", n)})
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
		s.setStatus(Status{NextEpoch: n, State: StateWaitingEpoch,
			Detail: fmt.Sprintf("epoch %d is scored after height %d (its end plus the segment grace window)", n, info.EndHeight+grace)})
		return false, nil
	}
	prior, err := s.loadPrior(ctx, n)
	if errors.Is(err, ErrPriorUnsettled) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.setStatus(Status{NextEpoch: n, State: StateScoring})
	if s.cfg.MemoryLimitCapMiB > 0 && os.Getenv("GOMEMLIMIT") == "" {
		restore, err := s.limitMemory(ctx, n)
		if err != nil {
			return false, err
		}
		defer restore()
	}
	start := time.Now()
	// Each segment goes to the store as soon as it is verified, and the
	// bundle as it is encoded: neither is ever held whole.
	sink := &storeSink{store: s.store}
	pub, err := PrepareTo(ctx, s.ledger, s.segs, s.kinds, n, prior, s.geo, sink)
	if err != nil {
		return false, err
	}
	pub.SegmentObjects = sink.segments
	s.m.epochScored(pub.Output.Summary, time.Since(start))
	rec, err := s.store.save(pub, false)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	s.next = n + 1
	s.mu.Unlock()
	sum := pub.Output.Summary
	s.log.Info("oracle: scored epoch", "epoch", n, "root", sum.Root, "reports", sum.Reports, "valid", sum.Valid,
		"devices_paid", sum.DevicesPaid, "device_total", sum.DeviceTotal, "inputs_hash", sum.InputsHash)
	if err := s.submitPublished(ctx, rec, pub); err != nil {
		return false, err
	}
	s.setStatus(Status{NextEpoch: n + 1, State: StateSubmitted, Detail: fmt.Sprintf("submitted epoch %d root %s", n, sum.Root)})
	return true, nil
}

// join moves the oracle to the chain's next epoch to settle when the chain
// settled epochs it has not scored (a fresh data dir, or an oracle that
// fell behind the others): re-scoring them could not change their
// settlement, and the registry as of their end heights is pruned once they
// settle. The epoch before is then loaded from a peer.
func (s *Service) join(ctx context.Context) error {
	next, err := s.ledger.NextToSettle(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if next > s.next {
		s.log.Info("oracle: joining at the chain's next epoch to settle", "epoch", next, "was", s.next)
		s.next = next
	}
	return nil
}

// loadPrior loads the settled result of epoch n-1: from the data dir when
// it matches the chain's settlement, else from a peer (kept in the data
// dir for next time). It says why it cannot in the status, the log and the
// metrics.
func (s *Service) loadPrior(ctx context.Context, n uint64) (*Prior, error) {
	s.mu.Lock()
	sources := append([]SettledSource{s.store}, s.peers...)
	s.mu.Unlock()
	prior, err := LoadPrior(ctx, s.ledger, n, sources...)
	switch {
	case errors.Is(err, ErrPriorUnsettled):
		if s.setStatus(Status{NextEpoch: n, State: StateWaitingPrior, Detail: err.Error()}) {
			s.m.refused.WithLabelValues("unsettled").Inc()
			s.log.Info("oracle: waiting: the previous epoch is not settled", "epoch", n, "prior", n-1)
		}
		return nil, err
	case err != nil:
		s.setStatus(Status{NextEpoch: n, State: StatePriorMismatch, Detail: err.Error()})
		s.m.refused.WithLabelValues("prior_mismatch").Inc()
		s.log.Warn("oracle: refusing to score: the previous epoch's settled result is not available", "epoch", n, "err", err)
		return nil, err
	case prior != nil && prior.From > 0:
		// The data dir's copy was missing or differs from the settlement.
		if err := s.store.putSettled(prior); err != nil {
			return nil, err
		}
		s.m.recovered.Inc()
		s.log.Warn("oracle: loaded the previous epoch's settled result from a peer: this oracle's own differs or is missing",
			"epoch", n, "prior", prior.Epoch, "root", prior.Root)
	}
	return prior, nil
}

// setStatus records what Step is doing and reports whether it changed.
func (s *Service) setStatus(st Status) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := s.status.State != st.State || s.status.NextEpoch != st.NextEpoch
	s.status = st
	s.m.blocked.Set(0)
	if st.State == StateWaitingPrior || st.State == StatePriorMismatch {
		s.m.blocked.Set(1)
	}
	return changed
}

// Status reports what the service is doing (GET /v1/oracle/status).
func (s *Service) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
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
	sb, err := s.store.get(rec.State)
	if err != nil {
		return err
	}
	pub := &Published{Epoch: rec.Epoch, BundleHash: score.BundleHash(bb), StateHash: score.StateHash(sb)}
	pub.Output.Root = m.Root()
	pub.Output.Reward.ScorerVersion = b.ScorerVersion
	// The summary does not say whom a pool pays; the bundle's pools do.
	for _, p := range sum.Pools {
		pt := poolTotalOf(p)
		for _, bp := range b.Pools {
			if bp.Name == p.Name {
				pt.Recipient, pt.Kind = bp.Recipient, bp.Kind
			}
		}
		pub.Output.Reward.Pools = append(pub.Output.Reward.Pools, pt)
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

// limitMemory sets the soft memory limit for scoring epoch n from the report
// count its segments commit (Config.MemoryLimitCapMiB) and returns the
// function that lifts it.
func (s *Service) limitMemory(ctx context.Context, n uint64) (func(), error) {
	refs, err := s.ledger.Segments(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("oracle: epoch %d: %w", n, err)
	}
	var reports uint64
	for _, r := range refs {
		reports += r.Count
	}
	// The limit is over what the process already holds live (its other
	// services, caches), not the epoch alone.
	live := liveHeap
	if s.heapLive != nil {
		live = s.heapLive
	}
	limit := score.MemoryLimitOver(live(), reports, score.OracleBytesPerReport, s.cfg.MemoryLimitCapMiB<<20)
	if limit == 0 {
		return func() {}, nil
	}
	return memLimits.hold(limit), nil
}

// liveHeap is the heap the last collection found live
// (runtime/metrics /gc/heap/live:bytes).
func liveHeap() uint64 {
	m := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(m)
	if m[0].Value.Kind() != rtmetrics.KindUint64 {
		return 0
	}
	return m[0].Value.Uint64()
}

// memLimits is the process's soft memory limit while epochs are scored.
// The limit is process-wide, and services in one process (tests run three
// oracles) may score at once: the largest limit held applies, and the
// limit from before the first is restored when the last one lifts its own.
var memLimits memoryLimits

type memoryLimits struct {
	mu     sync.Mutex
	held   []int64 // limits held, in any order
	before int64
}

// hold applies limit while it is held and returns the function that lifts
// it; lifting twice is harmless.
func (m *memoryLimits) hold(limit int64) func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.held) == 0 {
		m.before = debug.SetMemoryLimit(-1)
	}
	m.held = append(m.held, limit)
	debug.SetMemoryLimit(slices.Max(m.held))
	var once sync.Once
	return func() { once.Do(func() { m.lift(limit) }) }
}

func (m *memoryLimits) lift(limit int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.Index(m.held, limit)
	m.held = slices.Delete(m.held, i, i+1)
	if len(m.held) == 0 {
		debug.SetMemoryLimit(m.before)
		return
	}
	debug.SetMemoryLimit(slices.Max(m.held))
}
