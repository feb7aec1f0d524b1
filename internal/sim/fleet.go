package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Keys are the accounts the fleet acts for.
type Keys struct {
	// Maker certifies every device (a maker registered for coverage).
	Maker sig.PrivateKey
	// Owners own the devices in turn and pay onboarding, assertion and
	// claim fees; claimed rewards are paid to them.
	Owners []sig.PrivateKey
}

// Fleet is a running simulated fleet. Create it with New, drive it with
// Run, stop it with Close (or by ending Run's context).
type Fleet struct {
	cfg     Config
	keys    Keys
	log     *slog.Logger
	members []Member
	devs    []*simDevice
	byPub   map[string]*simDevice // by public key bytes
	medium  *acov.SimMedium
	freqHz  uint64

	ready chan struct{} // closed once onboarded and running

	mu       sync.Mutex
	ent      agent.Entropy
	haveEnt  bool
	pending  map[*reportv1.SignedReport]pendingReport
	captured []*reportv1.SignedReport // recent accepted reports of others, for replayers
	owners   []OwnerStats
	feed     feedStats // eavesdroppers' segment reads (eavesdrop.go)

	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

type pendingReport struct {
	dev    *simDevice
	kind   string
	forged bool
}

// capturedMax bounds the reports replayers can pick from.
const capturedMax = 64

// New plans the fleet and installs its radios in a simulated medium; it
// does no I/O.
func New(cfg Config, keys Keys, logger *slog.Logger) (*Fleet, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if len(keys.Maker) != 64 {
		return nil, errors.New("sim: new: the maker key is missing")
	}
	ms, err := Plan(cfg, len(keys.Owners))
	if err != nil {
		return nil, err
	}
	plan, _ := cfg.Region.Plan()
	f := &Fleet{
		cfg: cfg, keys: keys, log: logger.With("subsystem", "sim"), members: ms,
		byPub: make(map[string]*simDevice, len(ms)), freqHz: plan.ChannelsHz[0],
		ready: make(chan struct{}), pending: map[*reportv1.SignedReport]pendingReport{},
	}
	f.medium = acov.NewSimMedium(acov.SimConfig{
		Seed: cfg.Seed, SensitivityDdBm: -1230, NoiseFloorDdBm: -1170, MaxSNRDdB: 100, FadingDdB: 100,
		QueueLen: 1024,
	}, nil)
	f.medium.Obstruction = clutter(f.freqHz)
	for i := range ms {
		m := ms[i]
		r, err := f.medium.Join(acov.SimPlacement{
			ID: m.Key.Address().String(), LatE7: m.LatE7, LonE7: m.LonE7,
			GainDdBi: m.GainDdBi, ObstructionDdB: m.ObstructionDdB, Region: cfg.Region,
		})
		if err != nil {
			return nil, fmt.Errorf("sim: new: %w", err)
		}
		d := &simDevice{m: m, radio: r, side: make(chan acov.Frame, 64), maxRecords: cfg.MaxRecords}
		f.devs = append(f.devs, d)
		f.byPub[string(m.Key.PubKey())] = d
	}
	for _, o := range keys.Owners {
		f.owners = append(f.owners, OwnerStats{Owner: ledger.AddressOf(sig.PublicOf(o))})
	}
	return f, nil
}

// Members returns the planned devices.
func (f *Fleet) Members() []Member { return append([]Member(nil), f.members...) }

// Ready is closed once every device is onboarded and the agents run.
func (f *Fleet) Ready() <-chan struct{} { return f.ready }

// Records returns what device i sent and what ingest answered, oldest
// first (at most Config.MaxRecords).
func (f *Fleet) Records(i int) []Record { return f.devs[i].records() }

// Medium returns the simulated radio medium (for its statistics).
func (f *Fleet) Medium() *acov.SimMedium { return f.medium }

// Run waits for the node, onboards the fleet, then runs the agents, the
// entropy poller, the shared ingest client and the claimer until ctx ends
// or Close is called. It returns nil after such a stop.
func (f *Fleet) Run(ctx context.Context) error {
	f.runMu.Lock()
	if f.done != nil {
		f.runMu.Unlock()
		return errors.New("sim: run: already running")
	}
	ctx, f.cancel = context.WithCancel(ctx)
	f.done = make(chan struct{})
	defer close(f.done)
	f.runMu.Unlock()
	defer f.cancel()

	err := f.run(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Close stops Run and waits for it to return.
func (f *Fleet) Close() error {
	f.runMu.Lock()
	cancel, done := f.cancel, f.done
	f.runMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

func (f *Fleet) run(ctx context.Context) error {
	cfg := f.cfg
	if cfg.StateDir == "" {
		return errors.New("sim: run: state dir is not set")
	}
	rpc, err := client.New(cfg.NodeURL)
	if err != nil {
		return fmt.Errorf("sim: run: %w", err)
	}
	f.log.Info("sim: fleet starting", "city", cfg.City.Name, "devices", len(f.members), "adversaries",
		adversaryCount(len(f.members), cfg.AdversaryFraction), "ingest", cfg.IngestURL)
	if err := waitNode(ctx, rpc); err != nil {
		return err
	}
	if err := Onboard(ctx, rpc, cfg, f.keys, f.members, f.log); err != nil {
		return err
	}
	dir := filepath.Join(cfg.StateDir, "nonces")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("sim: run: %w", err)
	}
	for _, d := range f.devs {
		ns, err := agent.OpenNonceStore(filepath.Join(dir, d.m.Key.Address().String()+".json"), 0, nil)
		if err != nil {
			return fmt.Errorf("sim: run: %w", err)
		}
		d.b = agent.NewBuilder(d.m.Key, ns, nil)
	}
	cc := agent.DefaultClientConfig()
	cc.URL, cc.FlushInterval, cc.QueueSize = cfg.IngestURL, 100*time.Millisecond, 16384
	cc.InitialBackoff, cc.MaxBackoff, cc.MaxAttempts = 100*time.Millisecond, 2*time.Second, 5
	ic, err := agent.NewClient(cc, agent.ClientOptions{OnResult: f.onResult, Logger: f.log})
	if err != nil {
		return fmt.Errorf("sim: run: %w", err)
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		if err := ic.Run(ctx); err != nil && ctx.Err() == nil {
			f.log.Error("sim: ingest client stopped", "err", err)
		}
	})
	wg.Go(func() { f.pollEntropy(ctx, ic) })
	if err := f.waitEntropy(ctx); err != nil {
		return err
	}
	start := time.Now()
	for _, d := range f.devs {
		wg.Go(func() { f.runDevice(ctx, d, ic, start) })
	}
	if cfg.ClaimInterval > 0 && cfg.OracleURL != "" {
		wg.Go(func() { f.claimLoop(ctx, rpc) })
	}
	close(f.ready)
	f.log.Info("sim: fleet running", "devices", len(f.devs))
	<-ctx.Done()
	return nil
}

// waitNode waits until the node answers, for at most a minute.
func waitNode(ctx context.Context, rpc *client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		st, err := rpc.Status(ctx)
		if err == nil && st.Height > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sim: wait for node: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// pollEntropy keeps the entropy reports answer fresh.
func (f *Fleet) pollEntropy(ctx context.Context, ic *agent.Client) {
	t := time.NewTicker(f.cfg.EntropyRefresh)
	defer t.Stop()
	for {
		cctx, cancel := context.WithTimeout(ctx, f.cfg.EntropyRefresh*5)
		e, err := ic.GetEntropy(cctx)
		cancel()
		switch {
		case err == nil:
			f.mu.Lock()
			f.ent, f.haveEnt = e, true
			f.mu.Unlock()
		case ctx.Err() == nil:
			f.log.Warn("sim: get entropy", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// waitEntropy waits for the first entropy, for at most a minute.
func (f *Fleet) waitEntropy(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for {
		if _, ok := f.entropy(); ok {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("sim: run: no entropy from ingest within a minute")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (f *Fleet) entropy() (agent.Entropy, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ent, f.haveEnt
}

// send queues a report on the shared client, remembering whose it is.
func (f *Fleet) send(ic *agent.Client, d *simDevice, kind string, forged bool, sr *reportv1.SignedReport) {
	f.mu.Lock()
	f.pending[sr] = pendingReport{dev: d, kind: kind, forged: forged}
	f.mu.Unlock()
	if err := ic.Enqueue(sr); err != nil {
		f.mu.Lock()
		delete(f.pending, sr)
		f.mu.Unlock()
		d.add(Record{Kind: kind, Forged: forged, Err: err.Error()})
	}
}

// onResult files ingest's answer with the device that sent the report.
func (f *Fleet) onResult(r agent.Result) {
	f.mu.Lock()
	p, ok := f.pending[r.Report]
	delete(f.pending, r.Report)
	if ok && r.Accepted() && p.dev.m.Class != Replayer {
		f.captured = append(f.captured, r.Report)
		if len(f.captured) > capturedMax {
			f.captured = f.captured[1:]
		}
	}
	f.mu.Unlock()
	if !ok {
		return
	}
	p.dev.add(recordOf(p.kind, p.forged, r))
	if r.Accepted() {
		p.dev.keep(r.Report)
	}
}
