package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/depin-network/depin/internal/sig"
)

// Service is the ingest service: the connect handler, the durable log, the
// batcher and the segment endpoints.
type Service struct {
	cfg     Config
	deps    Deps
	logger  *slog.Logger
	log     Log
	store   *segmentStore
	batcher *batcher
	metrics *metrics
	keys    *sig.KeyCache
	// verifying counts the batches in signature verification, to split a
	// batch across the idle cores only.
	verifying atomic.Int32
	// quarantined counts skipped log messages (quarantine.go).
	quarantined atomic.Uint64
	// epochs times the publication of segments (access.go).
	epochs epochClock
	ln     net.Listener
	srv    *http.Server

	mu      sync.Mutex
	devices map[[32]byte]*device

	closeOnce sync.Once
	closeErr  error
}

// New opens the log (Deps.Log, or else the NATS log: the embedded server if
// Config.NATSURL is empty), recovers every device's high-water mark from it, opens the segment
// store and listens on Config.ListenAddr. Registry, Entropy and Epochs are
// required; without a Committer segments are stored but not committed.
func New(cfg Config, deps Deps, logger *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Registry == nil || deps.Kinds == nil || deps.Entropy == nil || deps.Epochs == nil {
		return nil, errors.New("ingest: new: registry, kinds, entropy and epochs are required")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("service", "ingest")
	s := &Service{cfg: cfg, deps: deps, logger: logger, metrics: newMetrics(), keys: sig.NewKeyCache(cfg.KeyCache), devices: make(map[[32]byte]*device)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	if s.log = deps.Log; s.log == nil {
		nl, err := openNATSLog(ctx, cfg, logger)
		if err != nil {
			return nil, err
		}
		s.log = nl
	}
	// A long log tail may take more than the minute allowed for opening;
	// the scan fails on a stall instead.
	snapSeq, snapSize, err := s.recover(context.Background())
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.store, err = openSegmentStore(filepath.Join(cfg.DataDir, "segments")); err != nil {
		s.Close()
		return nil, err
	}
	s.batcher = newBatcher(cfg, s.log, s.store, deps.Committer, deps.Now, s.metrics, logger)
	s.batcher.quarantine = s.quarantine
	s.batcher.snapSeq, s.batcher.snapSize = snapSeq, snapSize
	if s.ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
		s.Close()
		return nil, fmt.Errorf("ingest: listen: %w", err)
	}
	s.srv = s.newServer()
	logger.Info("ingest: ready", "addr", s.ln.Addr().String(), "devices", len(s.devices), "sync", cfg.Sync, "external_nats", cfg.NATSURL != "")
	return s, nil
}

// recover rebuilds the per-device high-water marks: the marks snapshot,
// then every log message after it. It returns the snapshot's sequence and
// number of devices.
func (s *Service) recover(ctx context.Context) (uint64, int, error) {
	snap, err := loadMarks(filepath.Join(s.cfg.DataDir, marksFile))
	if err != nil {
		return 0, 0, err
	}
	for _, m := range snap.marks {
		s.devices[m.pub] = &device{known: true, nonce: m.nonce, digest: m.digest, leaf: m.leaf}
	}
	first, last, err := s.log.Bounds(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest: recover: %w", err)
	}
	switch {
	case last < snap.seq:
		return 0, 0, fmt.Errorf("ingest: recover: the log ends at message %d, before the marks snapshot at %d: the log was reset or replaced", last, snap.seq)
	case last == snap.seq:
		return snap.seq, len(snap.marks), nil
	case first > snap.seq+1:
		return 0, 0, fmt.Errorf("ingest: recover: the log starts at message %d but the marks snapshot ends at %d: messages were removed", first, snap.seq)
	}
	tail := markSet{}
	records := 0
	err = scanLog(ctx, s.log, snap.seq+1, last, func(msg Message) error {
		lb, err := readBatch(msg.Data)
		if err != nil {
			s.quarantine("recover", msg.Seq, msg.Data, err)
			return nil
		}
		tail.apply(lb, leavesOf(lb))
		records += len(lb.entries)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("ingest: recover: %w", err)
	}
	for pub, m := range tail {
		s.devices[pub] = &device{known: true, nonce: m.nonce, digest: m.digest, leaf: m.leaf}
	}
	s.logger.Info("ingest: recovered high-water marks", "snapshot_seq", snap.seq, "snapshot_devices", len(snap.marks),
		"replayed_messages", last-snap.seq, "replayed_records", records, "devices", len(s.devices))
	return snap.seq, len(snap.marks), nil
}

// Addr is the address the service listens on.
func (s *Service) Addr() string { return s.ln.Addr().String() }

// Run serves requests and cuts segments until ctx ends, then stops
// accepting requests and waits for those in flight.
func (s *Service) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() {
		if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("ingest: serve: %w", err)
			return
		}
		errc <- nil
	}()
	go func() { errc <- s.batcher.run(ctx) }()
	go s.watchEpochs(ctx)
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if serr := s.srv.Shutdown(sctx); serr != nil && err == nil {
		err = fmt.Errorf("ingest: shutdown: %w", serr)
	}
	for range 2 - btoi(err != nil) {
		if e := <-errc; e != nil && err == nil {
			err = e
		}
	}
	return err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Close releases the log, the embedded server and the segment store. Call it
// after Run returns.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.srv != nil {
			errs = append(errs, s.srv.Close())
		}
		if s.ln != nil {
			_ = s.ln.Close()
		}
		if s.log != nil {
			errs = append(errs, s.log.Close())
		}
		if s.store != nil {
			errs = append(errs, s.store.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
