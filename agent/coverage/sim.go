package coverage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SimConfig sets the physics of a simulated radio medium. Start from
// DefaultSimConfig.
type SimConfig struct {
	// Seed makes the fading of every link reproducible.
	Seed uint64 `toml:"seed"`
	// SensitivityDdBm is the weakest signal a receiver decodes, in tenths
	// of dBm. The default -123 dBm is a Semtech SX1276 at SF7/125 kHz
	// (SX1276/77/78/79 datasheet, rev. 7, table 10).
	SensitivityDdBm int32 `toml:"sensitivity_ddbm"`
	// NoiseFloorDdBm is the receiver noise floor the SNR is measured
	// against: thermal noise -174 dBm/Hz + 10·log10(125 kHz) + a 6 dB noise
	// figure = -117 dBm.
	NoiseFloorDdBm int32 `toml:"noise_floor_ddbm"`
	// MaxSNRDdB caps the reported SNR (LoRa radios report at most about
	// +10 dB).
	MaxSNRDdB int32 `toml:"max_snr_ddb"`
	// FadingDdB is the largest fading loss of a link, in tenths of dB: each
	// delivery loses a seeded, uniform amount in [0, FadingDdB]. Fading
	// only ever subtracts, so an honest signal never exceeds free space and
	// passes the scorer's RSSI check (reference/helium.md §1.4).
	FadingDdB int32 `toml:"fading_ddb"`
	// QueueLen is each radio's receive buffer; frames beyond it are lost.
	QueueLen int `toml:"queue_len"`
}

// DefaultSimConfig returns a LoRa-like medium.
func DefaultSimConfig() SimConfig {
	return SimConfig{
		SensitivityDdBm: -1230,
		NoiseFloorDdBm:  -1170,
		MaxSNRDdB:       100,
		FadingDdB:       100,
		QueueLen:        256,
	}
}

// SimPlacement is where and how a simulated radio is installed.
type SimPlacement struct {
	// ID names the radio uniquely in its medium (e.g. the device address).
	ID string
	// LatE7 and LonE7 are the position in 1e-7 degrees.
	LatE7, LonE7 int64
	// GainDdBi is the antenna gain in tenths of dBi.
	GainDdBi int32
	// ObstructionDdB is the loss of walls and clutter around the antenna,
	// in tenths of dB, paid on every link at this end (indoors ~100-200).
	ObstructionDdB int32
	// Region is the band the radio transmits and listens on.
	Region Region
}

// SimStats counts what a medium did.
type SimStats struct {
	Transmitted, Delivered, TooWeak, Overflowed uint64
}

// SimMedium is a shared simulated radio medium: a frame one SimRadio
// transmits reaches every other radio of the same region whose received
// signal is at or above the sensitivity. It is safe for concurrent use.
type SimMedium struct {
	cfg SimConfig
	now func() time.Time
	// Obstruction, if set, adds a link-specific loss in tenths of dB
	// (terrain, buildings) between two placements.
	Obstruction func(from, to SimPlacement) int32

	mu     sync.RWMutex
	radios []*SimRadio
	ids    map[string]bool

	transmitted, delivered, tooWeak, overflowed atomic.Uint64
}

// NewSimMedium returns an empty medium; now stamps arrivals (time.Now if nil).
func NewSimMedium(cfg SimConfig, now func() time.Time) *SimMedium {
	if now == nil {
		now = time.Now
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultSimConfig().QueueLen
	}
	return &SimMedium{cfg: cfg, now: now, ids: make(map[string]bool)}
}

// Join installs a radio in the medium.
func (m *SimMedium) Join(p SimPlacement) (*SimRadio, error) {
	switch {
	case p.ID == "":
		return nil, errors.New("agent: sim join: placement has no id")
	case p.LatE7 < -900_000_000 || p.LatE7 > 900_000_000 || p.LonE7 < -1_800_000_000 || p.LonE7 > 1_800_000_000:
		return nil, fmt.Errorf("agent: sim join: %s: position %d,%d is outside the globe", p.ID, p.LatE7, p.LonE7)
	}
	if _, ok := p.Region.Plan(); !ok {
		return nil, fmt.Errorf("agent: sim join: %s: no channel plan for region %s", p.ID, p.Region)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids[p.ID] {
		return nil, fmt.Errorf("agent: sim join: id %q is taken", p.ID)
	}
	m.ids[p.ID] = true
	r := &SimRadio{m: m, p: p, heard: make(chan Heard, m.cfg.QueueLen)}
	m.radios = append(m.radios, r)
	return r, nil
}

// Stats returns the medium's counters.
func (m *SimMedium) Stats() SimStats {
	return SimStats{
		Transmitted: m.transmitted.Load(), Delivered: m.delivered.Load(),
		TooWeak: m.tooWeak.Load(), Overflowed: m.overflowed.Load(),
	}
}

// SimRadio is one radio in a SimMedium. It implements Radio.
type SimRadio struct {
	m     *SimMedium
	p     SimPlacement
	heard chan Heard
}

// Placement returns where the radio is installed.
func (r *SimRadio) Placement() SimPlacement { return r.p }

// Heard implements Radio.
func (r *SimRadio) Heard() <-chan Heard { return r.heard }

// Transmit implements Radio: it delivers f at once to every radio that
// hears it, in the order they joined. A full receive buffer loses the frame.
func (r *SimRadio) Transmit(ctx context.Context, f Frame) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("agent: sim transmit: %w", err)
	}
	if f.Region != r.p.Region {
		return fmt.Errorf("agent: sim transmit: frame region %s, radio region %s", f.Region, r.p.Region)
	}
	m := r.m
	m.transmitted.Add(1)
	at := m.now()
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, to := range m.radios {
		if to == r || to.p.Region != r.p.Region {
			continue
		}
		rssi, ok := m.Link(r.p, to.p, f)
		if !ok {
			m.tooWeak.Add(1)
			continue
		}
		h := Heard{
			Frame:       f,
			SignalDdBm:  rssi,
			SNRDdB:      min(rssi-m.cfg.NoiseFloorDdBm, m.cfg.MaxSNRDdB),
			FrequencyHz: f.FrequencyHz,
			At:          at,
		}
		select {
		case to.heard <- h:
			m.delivered.Add(1)
		default:
			m.overflowed.Add(1)
		}
	}
	return nil
}
