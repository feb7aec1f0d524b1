package sensorsim

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
	amobile "github.com/depin-network/depin/agent/mobile"
	asensor "github.com/depin-network/depin/agent/sensor"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Config configures a simulation. Start from DefaultConfig.
type Config struct {
	NodeURL, IngestURL string
	Fee                uint64
	// Stations, Vehicles and Radios are the honest devices of each type;
	// the adversaries come on top.
	Stations, Vehicles, Radios int
	LatE7, LngE7               int64
	Seed                       uint64
	// Tick is the time between two readings (and heartbeats).
	Tick time.Duration
	// Day is how long a simulated day lasts.
	Day time.Duration
	// Sensor and Mobile switch the two kinds' devices on.
	Sensor, Mobile bool
	// Dir keeps the devices' nonce stores.
	Dir string
}

// DefaultConfig is the devnet's: 12 stations, 3 vehicles and 4 radios in
// Berlin Mitte, a reading every 2 s, a simulated day every 10 minutes.
func DefaultConfig() Config {
	return Config{Stations: 12, Vehicles: 3, Radios: 4, LatE7: 525_200_000, LngE7: 134_050_000, Seed: 14,
		Tick: 2 * time.Second, Day: 10 * time.Minute, Sensor: true, Mobile: true}
}

// Keys are the maker certifying the devices, the owner of them all, and
// the devices' key seeds by member name.
type Keys struct {
	Maker      sig.PrivateKey
	Owner      sig.PrivateKey
	DeviceSeed func(name string) []byte
}

type simDevice struct {
	*Member
	key     *agent.Key
	builder *agent.Builder
	rng     *rngState
	// replayer: its first readings, looped; copier: the last reading of s0
	record  []map[string]int64
	odo     int64
	heading int64
	tick    int
}

// Sim is a running simulation.
type Sim struct {
	cfg    Config
	keys   Keys
	rpc    *client.Client
	ingest *agent.Client
	log    *slog.Logger
	devs   []*simDevice
	start  time.Time
	mu     sync.Mutex
	stats  map[string]map[string]int
	lastS0 map[string]int64
}

// New plans the fleet and opens its nonce stores.
func New(cfg Config, keys Keys, logger *slog.Logger) (*Sim, error) {
	rpc, err := client.New(cfg.NodeURL)
	if err != nil {
		return nil, fmt.Errorf("sensorsim: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("sensorsim: %w", err)
	}
	ac := agent.DefaultClientConfig()
	ac.URL = cfg.IngestURL
	ing, err := agent.NewClient(ac, agent.ClientOptions{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("sensorsim: %w", err)
	}
	members, err := Plan(cfg.Stations, cfg.Vehicles, cfg.Radios, cfg.LatE7, cfg.LngE7, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("sensorsim: %w", err)
	}
	s := &Sim{cfg: cfg, keys: keys, rpc: rpc, ingest: ing, log: logger, stats: map[string]map[string]int{}}
	for i, m := range members {
		if m.Kind == asensor.Kind && !cfg.Sensor || m.Kind == amobile.Kind && !cfg.Mobile {
			continue
		}
		k, err := agent.KeyFromSeed(keys.DeviceSeed(m.Name))
		if err != nil {
			return nil, err
		}
		ns, err := agent.OpenNonceStore(filepath.Join(cfg.Dir, m.Name+".nonce"), 64, nil)
		if err != nil {
			return nil, err
		}
		s.devs = append(s.devs, &simDevice{Member: m, key: k, builder: agent.NewBuilder(k, ns, nil), rng: rng(cfg.Seed + uint64(i)*977), odo: 20_000_000 + int64(i)*1000})
	}
	return s, nil
}

// Members returns the simulated devices by address.
func (s *Sim) Members() map[ledger.Address]*Member {
	out := map[ledger.Address]*Member{}
	for _, d := range s.devs {
		out[ledger.Address(d.key.Address())] = d.Member
	}
	return out
}

// Stats counts reports sent per device and outcome.
func (s *Sim) Stats() map[string]map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]int{}
	for k, v := range s.stats {
		out[k] = map[string]int{}
		for a, b := range v {
			out[k][a] = b
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

// Run onboards the devices not yet registered, then sends their reports
// every tick until ctx ends.
func (s *Sim) Run(ctx context.Context) error {
	go func() { _ = s.ingest.Run(ctx) }()
	if err := s.setup(ctx); err != nil {
		return err
	}
	s.start = time.Now()
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		ent, err := s.ingest.GetEntropy(ctx)
		if err != nil {
			s.log.Warn("sensor simulation: no entropy", "err", err)
			continue
		}
		s.step(ent)
	}
}

func (s *Sim) setup(ctx context.Context) error {
	var st client.Status
	for {
		var err error
		if st, err = s.rpc.Status(ctx); err == nil && st.Height > 1 {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(300 * time.Millisecond)
	}
	var msgs []*txv1.Msg
	owner := ledger.AddressOf(sig.PublicOf(s.keys.Owner))
	for _, d := range s.devs {
		var q query.Device
		err := s.rpc.Query(ctx, "/devices/"+ledger.Address(d.key.Address()).String(), &q)
		var qe *client.QueryError
		switch {
		case errors.As(err, &qe) && qe.Code == query.CodeNotFound:
			typ, val := device.Onboard(s.keys.Maker, sig.KeyFromSeed(s.keys.DeviceSeed(d.Name)), d.Kind, "sim-"+d.Name, st.ChainID, owner)
			msgs = append(msgs, &txv1.Msg{Type: typ, Value: val})
		case err != nil:
			return fmt.Errorf("sensorsim: %s: %w", d.Name, err)
		case q.Location != nil:
			continue
		}
		typ, val := device.AssertLocationMsg(ledger.Address(d.key.Address()), d.Cell, d.Attrs)
		msgs = append(msgs, &txv1.Msg{Type: typ, Value: val})
	}
	for len(msgs) > 0 {
		n := min(len(msgs), 32)
		if _, err := s.rpc.SignAndSend(ctx, s.keys.Owner, client.Tx{Msgs: msgs[:n], Fee: s.cfg.Fee}); err != nil {
			return fmt.Errorf("sensorsim: onboard: %w", err)
		}
		msgs = msgs[n:]
	}
	return nil
}

// step sends one tick of reports.
func (s *Sim) step(ent agent.Entropy) {
	dayFrac := float64(time.Since(s.start)%s.cfg.Day) / float64(s.cfg.Day)
	var s0 map[string]int64
	for _, d := range s.devs {
		var sr *reportv1.SignedReport
		var err error
		switch {
		case d.Kind == amobile.Kind:
			s.radio(d, ent)
			continue
		case d.Vehicle:
			sr, err = s.vehicle(d, ent)
		default:
			var v map[string]int64
			v, sr, err = s.station(d, ent, dayFrac)
			if d.Name == "s0" {
				s0 = v
			}
		}
		s.enqueue(d, "reading", sr, err)
	}
	s.lastS0 = s0
}

func (s *Sim) enqueue(d *simDevice, what string, sr *reportv1.SignedReport, err error) {
	if err == nil {
		err = s.ingest.Enqueue(sr)
	}
	if err != nil {
		s.count(d.Name, what+"_error")
		s.log.Warn("sensor simulation: report", "device", d.Name, "err", err)
		return
	}
	s.count(d.Name, what)
}

func (s *Sim) station(d *simDevice, ent agent.Entropy, dayFrac float64) (map[string]int64, *reportv1.SignedReport, error) {
	temp := diurnal(dayFrac) + d.offset + d.rng.noise(15)
	v := map[string]int64{
		"temperature": temp, "humidity": 7000 - (temp-1200)*2 + d.rng.noise(60), "pressure": 101_300 + d.rng.noise(8),
		"wind_speed": 200 + d.rng.intn(500), "wind_direction": d.rng.intn(360), "rain": 0,
	}
	switch d.Class {
	case Heater:
		v["temperature"] += 900
		v["humidity"] -= 2500
	case Replayer:
		const loop = 8
		if len(d.record) < loop {
			d.record = append(d.record, v)
		} else {
			v = d.record[d.tick%loop]
		}
	case Copier:
		if s.lastS0 != nil {
			v = s.lastS0
		}
	}
	d.tick++
	sr, err := asensor.Reading(d.builder, ent, v, nil)
	return v, sr, err
}

func (s *Sim) vehicle(d *simDevice, ent agent.Entropy) (*reportv1.SignedReport, error) {
	speed := 350 + d.rng.intn(150) // 0.1 km/h
	dist := speed * 100 * int64(s.cfg.Tick) / int64(time.Hour)
	d.odo += dist
	// Drive a square loop of 40 ticks per side.
	side := (d.tick / 40) % 4
	dLat, dLng := [4]int64{1, 0, -1, 0}[side], [4]int64{0, 1, 0, -1}[side]
	d.LatE7 += dLat * dist * 90
	d.LngE7 += dLng * dist * 148
	fix := &asensor.Fix{LatE7: d.LatE7, LngE7: d.LngE7, Satellites: 11}
	if d.Class == Spoofer && d.tick%3 != 0 {
		fix.LatE7 += 4_500_000 // 50 km north and back
	}
	d.tick++
	return asensor.Reading(d.builder, ent, map[string]int64{"odometer": d.odo, "speed": speed, "charge": max(1000, 9000-int64(d.tick))}, fix)
}

func (s *Sim) radio(d *simDevice, ent agent.Entropy) {
	sr, err := amobile.Heartbeat(d.builder, ent, d.LatE7+d.rng.noise(150), d.LngE7, true)
	s.enqueue(d, "heartbeat", sr, err)
	if d.tick%3 == 0 {
		down, up, lat := uint64(150_000_000+d.rng.intn(60_000_000)), uint64(15_000_000+d.rng.intn(6_000_000)), uint32(18+d.rng.intn(20))
		if d.Class == Faker {
			down, up, lat = 940_000_000, 94_000_000, 5
		}
		sr, err := amobile.Speedtest(d.builder, ent, down, up, lat)
		s.enqueue(d, "speedtest", sr, err)
	}
	d.tick++
}
