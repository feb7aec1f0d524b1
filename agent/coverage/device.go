package coverage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/depin-network/depin/agent"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// EntropySource returns the chain entropy reports should answer now. Client
// implements it from ingest's GetEntropy.
type EntropySource interface {
	GetEntropy(ctx context.Context) (agent.Entropy, error)
}

// DeviceConfig is what the agent loop needs to know about the device.
type DeviceConfig struct {
	// Region is the device's regional plan ("EU868", "US915", "AU915").
	Region Region `toml:"region"`
	// Cell is the H3 cell (resolution 12 is usual) the device reports in
	// its heartbeats, e.g. 0x8c1f1d4a8c8a9ff. The SDK has no H3 code (no
	// cgo): compute it once with any H3 library or take it from the
	// device's on-chain location.
	Cell uint64 `toml:"cell"`
	// BeaconInterval is the length of a beacon window: the device beacons
	// once per window at a random offset. Helium's default is 6 h and
	// its verifier accepts at most one beacon per window
	// (gateway-rs src/settings.rs default_poc_interval, iot_verifier
	// verify_beacon_schedule; reference/helium.md §1.2). 0 never beacons.
	BeaconInterval time.Duration `toml:"beacon_interval"`
	// HeartbeatInterval is the time between heartbeats; Helium Mobile
	// counts hourly heartbeats (reference/helium.md §2.2). 0 never sends
	// heartbeats.
	HeartbeatInterval time.Duration `toml:"heartbeat_interval"`
	// EntropyRefresh is how often the current entropy is fetched; Helium's
	// entropy oracle ticks every 60 s (poc_entropy ENTROPY_TICK_TIME).
	EntropyRefresh time.Duration `toml:"entropy_refresh"`
}

// DefaultDeviceConfig returns Helium-like timings in region EU868.
func DefaultDeviceConfig() DeviceConfig {
	return DeviceConfig{
		Region:            RegionEU868,
		BeaconInterval:    6 * time.Hour,
		HeartbeatInterval: time.Hour,
		EntropyRefresh:    30 * time.Second,
	}
}

// Validate reports the first unusable setting.
func (c DeviceConfig) Validate() error {
	if _, ok := c.Region.Plan(); !ok {
		return fmt.Errorf("agent: device config: region %s has no channel plan", c.Region)
	}
	switch {
	case c.BeaconInterval < 0 || c.HeartbeatInterval < 0:
		return errors.New("agent: device config: intervals must not be negative")
	case c.HeartbeatInterval > 0 && c.Cell == 0:
		return errors.New("agent: device config: heartbeats need the device's H3 cell")
	case c.EntropyRefresh <= 0:
		return errors.New("agent: device config: entropy_refresh must be positive")
	}
	return nil
}

// DeviceOptions are a device's collaborators; every field is optional.
type DeviceOptions struct {
	// Logger receives the device's structured logs (discarded if nil).
	Logger *slog.Logger
	// Now is the device clock (time.Now if nil).
	Now func() time.Time
	// Rand supplies beacon local entropy and schedule offsets
	// (crypto/rand if nil).
	Rand io.Reader
	// Entropy is where current entropy comes from (the client if nil).
	Entropy EntropySource
}

// Device is one device's agent loop over a radio and an ingest client.
type Device struct {
	cfg     DeviceConfig
	b       *agent.Builder
	radio   Radio
	client  *agent.Client
	entropy EntropySource
	logger  *slog.Logger
	now     func() time.Time
	rand    io.Reader
}

// NewDevice returns the loop of the device whose reports b builds.
func NewDevice(cfg DeviceConfig, b *agent.Builder, radio Radio, client *agent.Client, opts DeviceOptions) (*Device, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if b == nil || radio == nil || client == nil {
		return nil, errors.New("agent: new device: builder, radio and client are required")
	}
	d := &Device{cfg: cfg, b: b, radio: radio, client: client, entropy: opts.Entropy,
		logger: opts.Logger, now: opts.Now, rand: opts.Rand}
	if d.entropy == nil {
		d.entropy = client
	}
	if d.logger == nil {
		d.logger = slog.New(slog.DiscardHandler)
	}
	d.logger = d.logger.With("device", b.Key().Address().String())
	if d.now == nil {
		d.now = time.Now
	}
	if d.rand == nil {
		d.rand = rand.Reader
	}
	return d, nil
}

// offset returns a uniform duration in [0, d).
func (d *Device) offset(span time.Duration) (time.Duration, error) {
	var b [8]byte
	if _, err := io.ReadFull(d.rand, b[:]); err != nil {
		return 0, fmt.Errorf("agent: random offset: %w", err)
	}
	return time.Duration(binary.BigEndian.Uint64(b[:]) % uint64(span)), nil
}

// refresh fetches the current entropy, bounded by EntropyRefresh.
func (d *Device) refresh(ctx context.Context) (agent.Entropy, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.EntropyRefresh)
	defer cancel()
	return d.entropy.GetEntropy(ctx)
}

// Run beacons, witnesses and sends heartbeats until ctx ends, queueing every
// report on the client; it does not run the client's send loop (see the
// package function Run). It returns ctx.Err() when ctx ends, or an error if
// the radio's Heard channel closes or the nonce store fails.
func (d *Device) Run(ctx context.Context) error {
	start := d.now()
	d.logger.Info("agent: device starting", "region", d.cfg.Region.String(), "cell", fmt.Sprintf("%x", d.cfg.Cell),
		"beacon_interval", d.cfg.BeaconInterval, "heartbeat_interval", d.cfg.HeartbeatInterval)
	var ent agent.Entropy
	have := false
	fetch := func() {
		e, err := d.refresh(ctx)
		if err != nil {
			if ctx.Err() == nil {
				d.logger.Warn("agent: get entropy", "err", err)
			}
			return
		}
		ent, have = e, true
	}
	fetch()

	entropyTick := time.NewTicker(d.cfg.EntropyRefresh)
	defer entropyTick.Stop()
	beaconTimer, beaconDue, windowEnd, err := d.firstBeacon(start)
	if err != nil {
		return err
	}
	if beaconTimer != nil {
		defer beaconTimer.Stop()
	}
	var heartbeatC <-chan time.Time
	heartbeatNow := d.cfg.HeartbeatInterval > 0
	if heartbeatNow {
		t := time.NewTicker(d.cfg.HeartbeatInterval)
		defer t.Stop()
		heartbeatC = t.C
	}
	for {
		// A heartbeat due while no entropy is known waits for the first.
		if heartbeatNow && have {
			heartbeatNow = false
			if err := d.heartbeat(ent, start); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			d.logger.Info("agent: device stopping", "stats", fmt.Sprintf("%+v", d.client.Stats()))
			return ctx.Err()
		case <-entropyTick.C:
			fetch()
		case <-heartbeatC:
			heartbeatNow = true
		case h, ok := <-d.radio.Heard():
			if !ok {
				return errors.New("agent: run: the radio's heard channel closed")
			}
			if err := d.witness(ent, have, h); err != nil {
				return err
			}
		case <-beaconDue:
			// Beacon on the freshest entropy, as Helium beaconers do.
			fetch()
			if err := d.beacon(ctx, ent, have); err != nil {
				return err
			}
			// The next beacon falls at a random offset in the next window
			// (gateway-rs src/beaconer.rs mk_next_beacon_time).
			off, err := d.offset(d.cfg.BeaconInterval)
			if err != nil {
				return err
			}
			next := windowEnd.Add(off)
			windowEnd = windowEnd.Add(d.cfg.BeaconInterval)
			beaconTimer.Reset(max(next.Sub(d.now()), 0))
		}
	}
}

// firstBeacon schedules the first beacon at a random offset in the first
// window, and returns the end of that window.
func (d *Device) firstBeacon(start time.Time) (*time.Timer, <-chan time.Time, time.Time, error) {
	if d.cfg.BeaconInterval <= 0 {
		return nil, nil, time.Time{}, nil
	}
	off, err := d.offset(d.cfg.BeaconInterval)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	t := time.NewTimer(off)
	return t, t.C, start.Add(d.cfg.BeaconInterval), nil
}

// enqueue queues a report, logging (not failing) when the queue is full.
func (d *Device) enqueue(kind string, sr *reportv1.SignedReport) {
	if err := d.client.Enqueue(sr); err != nil {
		d.logger.Warn("agent: report dropped", "kind", kind, "err", err)
		return
	}
	d.logger.Debug("agent: report queued", "kind", kind, "bytes", len(sr.GetReport()))
}

func (d *Device) heartbeat(ent agent.Entropy, start time.Time) error {
	sr, err := Heartbeat(d.b, ent, d.cfg.Cell, d.now().Sub(start))
	if err != nil {
		return err
	}
	d.enqueue("heartbeat", sr)
	return nil
}

func (d *Device) beacon(ctx context.Context, ent agent.Entropy, have bool) error {
	if !have {
		d.logger.Warn("agent: beacon skipped: no entropy yet")
		return nil
	}
	var local [LocalEntropySize]byte
	if _, err := io.ReadFull(d.rand, local[:]); err != nil {
		return fmt.Errorf("agent: beacon: local entropy: %w", err)
	}
	sr, f, err := Beacon(d.b, ent, d.cfg.Region, local)
	if err != nil {
		return err
	}
	if err := d.radio.Transmit(ctx, f); err != nil {
		// Not reported: a beacon nobody could hear would not be witnessed.
		d.logger.Warn("agent: transmit beacon", "err", err)
		return nil
	}
	d.logger.Info("agent: beacon sent", "height", ent.Block.Height, "frequency_hz", f.FrequencyHz,
		"payload", hex.EncodeToString(f.Payload))
	d.enqueue("beacon", sr)
	return nil
}

func (d *Device) witness(ent agent.Entropy, have bool, h Heard) error {
	if !have {
		d.logger.Warn("agent: witness skipped: no entropy yet")
		return nil
	}
	if bytes.Equal(h.Frame.Beaconer, d.b.Key().PubKey()) {
		return nil // our own beacon echoed back by the radio
	}
	sr, err := Witness(d.b, ent, h)
	if err != nil {
		return err
	}
	d.logger.Info("agent: beacon witnessed", "beaconer", hex.EncodeToString(h.Frame.Beaconer),
		"signal_ddbm", h.SignalDdBm, "snr_ddb", h.SNRDdB)
	d.enqueue("witness", sr)
	return nil
}
