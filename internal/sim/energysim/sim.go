package energysim

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
	aenergy "github.com/depin-network/depin/agent/energy"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Config configures a running simulation. Start from DefaultConfig.
type Config struct {
	// NodeURL is the node's CometBFT RPC; IngestURL its ingest service
	// (reads are also sent there for the oracles' rewards when set).
	NodeURL   string
	IngestURL string
	// Fee is paid by every transaction, in upin.
	Fee uint64
	// Households is the number of honest households (the three
	// adversaries come on top).
	Households int
	Seed       uint64
	// Cell is the grid cell of the neighbourhood (one zone).
	Cell uint64
	// Clock parameters other than Seconds (read from the chain) and
	// Origin (the first interval the simulation sees).
	StartMinute, MinutesPerInterval, DayOfYear int
	LatDeg                                     float64
	// Poll is how often the chain's time is read.
	Poll time.Duration
	// Dir keeps the meters' nonce stores.
	Dir string
}

// DefaultConfig is the devnet's: 8 households plus the adversaries in one
// Berlin zone at midsummer, a simulated day starting at 05:00 that moves
// 15 simulated minutes per interval.
func DefaultConfig() Config {
	return Config{Households: 8, Seed: 1, StartMinute: 5 * 60, MinutesPerInterval: 15, DayOfYear: 172, LatDeg: 52.52,
		Poll: 500 * time.Millisecond}
}

// Keys are the simulation's keys: the maker that certifies the meters, one
// owner wallet per household (by household name) and the meters' keys,
// derived from DeviceSeed.
type Keys struct {
	Maker  sig.PrivateKey
	Owners map[string]sig.PrivateKey
	// DeviceSeed returns a household's meter key seed.
	DeviceSeed func(name string) []byte
}

// Stats counts what the simulation did, per household and outcome
// ("read_accepted", "read_counter_backwards", "ask", "bid" ...).
type Stats map[string]map[string]int

type member struct {
	h       *Household
	owner   sig.PrivateKey
	builder *agent.Builder
	addr    ledger.Address
}

// Sim is a running simulation.
type Sim struct {
	cfg     Config
	keys    Keys
	rpc     *client.Client
	ingest  *agent.Client
	log     *slog.Logger
	members []*member
	sky     *Sky
	clock   Clock
	gate    uint64
	done    uint64 // the last interval read
	mu      sync.Mutex
	stats   Stats
	refused map[string][]uint64 // household -> intervals whose read the chain refused
}

// New plans the households and opens their meters' nonce stores.
func New(cfg Config, keys Keys, logger *slog.Logger) (*Sim, error) {
	rpc, err := client.New(cfg.NodeURL)
	if err != nil {
		return nil, fmt.Errorf("energysim: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("energysim: %w", err)
	}
	s := &Sim{cfg: cfg, keys: keys, rpc: rpc, log: logger, sky: NewSky(cfg.Seed), stats: Stats{}, refused: map[string][]uint64{}}
	if cfg.IngestURL != "" {
		ac := agent.DefaultClientConfig()
		ac.URL = cfg.IngestURL
		if s.ingest, err = agent.NewClient(ac, agent.ClientOptions{Logger: logger}); err != nil {
			return nil, fmt.Errorf("energysim: %w", err)
		}
	}
	for _, h := range Plan(cfg.Households, cfg.Cell, cfg.Seed) {
		owner, ok := keys.Owners[h.Name]
		if !ok {
			return nil, fmt.Errorf("energysim: no owner key for %s", h.Name)
		}
		k, err := agent.KeyFromSeed(keys.DeviceSeed(h.Name))
		if err != nil {
			return nil, fmt.Errorf("energysim: %s: %w", h.Name, err)
		}
		nonces, err := agent.OpenNonceStore(filepath.Join(cfg.Dir, h.Name+".nonce"), 64, nil)
		if err != nil {
			return nil, fmt.Errorf("energysim: %s: %w", h.Name, err)
		}
		s.members = append(s.members, &member{h: h, owner: owner, builder: agent.NewBuilder(k, nonces, nil), addr: ledger.Address(k.Address())})
	}
	return s, nil
}

// Households returns the simulated households with their meters' addresses.
func (s *Sim) Households() map[string]ledger.Address {
	out := map[string]ledger.Address{}
	for _, m := range s.members {
		out[m.h.Name] = m.addr
	}
	return out
}

// RefusedReads returns, per household, the intervals whose read the chain
// refused, in the order sent.
func (s *Sim) RefusedReads() map[string][]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]uint64{}
	for h, ivs := range s.refused {
		out[h] = append([]uint64(nil), ivs...)
	}
	return out
}

// Stats returns a copy of what the simulation did so far.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{}
	for h, m := range s.stats {
		out[h] = map[string]int{}
		for k, v := range m {
			out[h][k] = v
		}
	}
	return out
}

func (s *Sim) count(name, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats[name] == nil {
		s.stats[name] = map[string]int{}
	}
	s.stats[name][what]++
}

// Run onboards the meters, then every interval commits each meter's read
// of the interval that ended and places the orders for the interval after
// next, until ctx ends.
func (s *Sim) Run(ctx context.Context) error {
	if s.ingest != nil {
		go func() { _ = s.ingest.Run(ctx) }()
	}
	if err := s.setup(ctx); err != nil {
		return err
	}
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		if err := s.step(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("energy simulation step failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// setup waits for the node, reads the interval length and gate, and
// onboards every meter not yet registered (owner-signed, maker-certified,
// with its attributes asserted).
func (s *Sim) setup(ctx context.Context) error {
	var ps query.Params
	for {
		if err := s.rpc.Query(ctx, "/params", &ps); err == nil {
			break
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(s.cfg.Poll)
	}
	for _, p := range ps.Params {
		v := p.Value
		switch p.Name {
		case "energy.interval_seconds":
			s.clock.Seconds = v
		case "energy_market.gate_closure_seconds":
			s.gate = v
		}
	}
	if s.clock.Seconds == 0 {
		return errors.New("energysim: the chain has no energy.interval_seconds param")
	}
	var st client.Status
	for {
		var err error
		if st, err = s.rpc.Status(ctx); err == nil && st.Height > 0 && st.BlockTime.Unix() > 0 {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(s.cfg.Poll)
	}
	now := uint64(st.BlockTime.Unix())
	s.done = now/s.clock.Seconds - 1
	s.clock.Origin = now / s.clock.Seconds
	s.clock.StartMinute, s.clock.MinutesPerInterval = s.cfg.StartMinute, s.cfg.MinutesPerInterval
	s.clock.DayOfYear, s.clock.LatDeg = s.cfg.DayOfYear, s.cfg.LatDeg
	var wg sync.WaitGroup
	errs := make([]error, len(s.members))
	for i, m := range s.members {
		wg.Go(func() { errs[i] = s.onboard(ctx, st.ChainID, m) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Sim) onboard(ctx context.Context, chainID string, m *member) error {
	var q query.Device
	err := s.rpc.Query(ctx, "/devices/"+m.addr.String(), &q)
	var qe *client.QueryError
	var msgs []*txv1.Msg
	switch {
	case errors.As(err, &qe) && qe.Code == query.CodeNotFound:
		typ, val := device.Onboard(s.keys.Maker, sig.KeyFromSeed(s.keys.DeviceSeed(m.h.Name)), aenergy.Kind, "meter-"+m.h.Name, chainID,
			ledger.AddressOf(sig.PublicOf(m.owner)))
		msgs = append(msgs, &txv1.Msg{Type: typ, Value: val})
	case err != nil:
		return fmt.Errorf("energysim: %s: %w", m.h.Name, err)
	case q.Location != nil:
		return s.resume(ctx, m)
	}
	typ, val := device.AssertLocationMsg(m.addr, m.h.Attrs.GridCell, m.h.Attrs.Encode())
	msgs = append(msgs, &txv1.Msg{Type: typ, Value: val})
	if _, err := s.rpc.SignAndSend(ctx, m.owner, client.Tx{Msgs: msgs, Fee: s.cfg.Fee}); err != nil {
		return fmt.Errorf("energysim: onboard %s: %w", m.h.Name, err)
	}
	return s.resume(ctx, m)
}

// resume starts a meter's counters from its last read on chain, so a
// restarted devnet continues them.
func (s *Sim) resume(ctx context.Context, m *member) error {
	var mv struct {
		ImportedWh uint64 `json:"imported_wh,string"`
		ExportedWh uint64 `json:"exported_wh,string"`
		ProducedWh uint64 `json:"produced_wh,string"`
		SocWh      uint64 `json:"soc_wh,string"`
	}
	err := s.rpc.Query(ctx, "/energy/meters/"+m.addr.String(), &mv)
	var qe *client.QueryError
	if errors.As(err, &qe) && qe.Code == query.CodeNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("energysim: %s meter: %w", m.h.Name, err)
	}
	m.h.Meter = aenergy.Meter{ImportedWh: mv.ImportedWh, ExportedWh: mv.ExportedWh, ProducedWh: mv.ProducedWh, SocWh: mv.SocWh}
	m.h.reported = m.h.Meter
	return nil
}

// step reads every interval that ended since the last step and orders the
// interval after the current one.
func (s *Sim) step(ctx context.Context) error {
	st, err := s.rpc.Status(ctx)
	if err != nil {
		return err
	}
	if st.BlockTime.Unix() <= 0 {
		return nil
	}
	now := uint64(st.BlockTime.Unix())
	cur := now / s.clock.Seconds
	if cur == 0 || cur-1 <= s.done {
		return nil
	}
	var ent agent.Entropy
	if s.ingest != nil {
		if ent, err = s.ingest.GetEntropy(ctx); err != nil {
			s.log.Warn("energy simulation: no entropy from ingest", "err", err)
		}
	}
	for iv := s.done + 1; iv < cur; iv++ {
		clear := s.sky.Next()
		next := cur + 1
		if (next*s.clock.Seconds)-s.gate <= now+1 {
			next++
		}
		var wg sync.WaitGroup
		for _, m := range s.members {
			wg.Go(func() { s.interval(ctx, m, ent, iv, next, clear) })
		}
		wg.Wait()
		s.done = iv
	}
	return nil
}

// interval commits a household's read of iv and its order for next.
func (s *Sim) interval(ctx context.Context, m *member, ent agent.Entropy, iv, next uint64, clear float64) {
	h := m.h
	e := h.Step(s.clock, iv, clear)
	r, _ := h.Report(iv, e)
	sr, err := aenergy.ReadBody(m.builder, ent, r)
	if err != nil {
		s.log.Warn("energy simulation: sign read", "household", h.Name, "err", err)
		return
	}
	if s.ingest != nil && len(ent.Block.Hash) > 0 {
		_ = s.ingest.Enqueue(sr)
	}
	typ, val, err := aenergy.ReadMsg(sr)
	if err != nil {
		return
	}
	if s.send(ctx, m, "read", &txv1.Msg{Type: typ, Value: val}) {
		s.mu.Lock()
		s.refused[h.Name] = append(s.refused[h.Name], iv)
		s.mu.Unlock()
	}
	if o, ok := h.Order(s.clock, next); ok {
		var typ string
		var val []byte
		what := "bid"
		if o.Ask {
			typ, val, err = aenergy.AskMsg(m.addr, next, o.Wh, o.Price)
			what = "ask"
		} else {
			typ, val, err = aenergy.BidMsg(m.addr, next, o.Wh, o.Price)
		}
		if err == nil {
			s.send(ctx, m, what, &txv1.Msg{Type: typ, Value: val})
		}
	}
}

// send signs and sends one message as the household's owner and counts the
// outcome: "<what>_accepted" or "<what>_<code name>"; it reports whether
// the chain refused the message (false for an accepted one, or one that
// never reached a verdict).
func (s *Sim) send(ctx context.Context, m *member, what string, msg *txv1.Msg) (refused bool) {
	_, err := s.rpc.SignAndSend(ctx, m.owner, client.Tx{Msgs: []*txv1.Msg{msg}, Fee: s.cfg.Fee})
	var te *client.TxError
	switch {
	case err == nil:
		s.count(m.h.Name, what+"_accepted")
	case errors.As(err, &te):
		s.count(m.h.Name, what+"_"+te.Code.String())
		if m.h.Profile == Honest {
			s.log.Info("energy simulation: refused", "household", m.h.Name, "msg", what, "code", te.Code.String(), "log", te.Log)
		}
		return true
	default:
		s.count(m.h.Name, what+"_error")
		s.log.Warn("energy simulation: send", "household", m.h.Name, "msg", what, "err", err)
	}
	return false
}
