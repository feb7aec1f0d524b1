package coverage

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/depin-network/depin/agent"
	kcov "github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// LocalEntropySize is the length of a beacon's local entropy.
const LocalEntropySize = kcov.LocalEntropySize

// Frame is a beacon as it goes over the air. A hardware Radio carries the
// beaconer's key and the entropy block alongside the payload (for instance
// in a frame header), so that witnesses can name them in their reports.
type Frame struct {
	// Beaconer is the transmitting device's public key.
	Beaconer []byte
	// Entropy is the block the beacon answers.
	Entropy agent.BlockRef
	// Payload is the beacon data (51 bytes).
	Payload []byte
	// FrequencyHz is the channel the beacon is sent on.
	FrequencyHz uint64
	// TxPowerDdBm is the conducted transmit power in tenths of dBm.
	TxPowerDdBm int32
	// Region is the regional plan the beacon follows.
	Region Region
}

// Heard is a frame a radio received.
type Heard struct {
	Frame Frame
	// SignalDdBm is the received signal strength (RSSI) in tenths of dBm.
	SignalDdBm int32
	// SNRDdB is the signal-to-noise ratio in tenths of dB.
	SNRDdB int32
	// FrequencyHz is the frequency the frame was received on.
	FrequencyHz uint64
	// At is the receiver's clock when the frame arrived.
	At time.Time
}

// BeaconFrame computes the beacon a device transmits for entropy block ent
// with its 4 bytes of local entropy in region r: the payload from
// coverage.BeaconPayload, the channel from coverage.BeaconFrequency and the
// region's maximum power, as Helium beacons use (reference/helium.md §1.2).
func BeaconFrame(k *agent.Key, ent agent.BlockRef, local [LocalEntropySize]byte, r Region) (Frame, error) {
	plan, ok := r.Plan()
	if !ok {
		return Frame{}, fmt.Errorf("agent: beacon: no channel plan for region %s", r)
	}
	payload, err := kcov.BeaconPayload(ent.Hash, local[:], ledger.AddressOf(k.PubKey()))
	if err != nil {
		return Frame{}, fmt.Errorf("agent: beacon: %w", err)
	}
	freq, err := kcov.BeaconFrequency(kcov.Region(r), payload)
	if err != nil {
		return Frame{}, fmt.Errorf("agent: beacon: %w", err)
	}
	return Frame{
		Beaconer:    k.PubKey(),
		Entropy:     ent,
		Payload:     payload,
		FrequencyHz: freq,
		TxPowerDdBm: plan.MaxTxPowerDBm * 10,
		Region:      r,
	}, nil
}

// Beacon builds the beacon for ent.Block and local entropy in region r, and
// returns the signed report together with the frame to transmit.
func Beacon(b *agent.Builder, ent agent.Entropy, r Region, local [LocalEntropySize]byte) (*reportv1.SignedReport, Frame, error) {
	f, err := BeaconFrame(b.Key(), ent.Block, local, r)
	if err != nil {
		return nil, Frame{}, err
	}
	sr, err := b.Build(ent, kcov.Name, kcov.TypeBeacon, &coveragev1.Beacon{
		LocalEntropy: bytes.Clone(local[:]),
		Payload:      bytes.Clone(f.Payload),
		Frequency:    f.FrequencyHz,
		TxPower:      f.TxPowerDdBm,
		Region:       r.String(),
	})
	if err != nil {
		return nil, Frame{}, err
	}
	return sr, f, nil
}

// Witness builds the report of a beacon heard by the radio, answering ent.
func Witness(b *agent.Builder, ent agent.Entropy, h Heard) (*reportv1.SignedReport, error) {
	if bytes.Equal(h.Frame.Beaconer, b.Key().PubKey()) {
		return nil, errors.New("agent: witness: a device cannot witness its own beacon")
	}
	return b.Build(ent, kcov.Name, kcov.TypeWitness, &coveragev1.Witness{
		Beaconer:      bytes.Clone(h.Frame.Beaconer),
		Payload:       bytes.Clone(h.Frame.Payload),
		Frequency:     h.FrequencyHz,
		Signal:        h.SignalDdBm,
		Snr:           h.SNRDdB,
		BeaconEntropy: h.Frame.Entropy.Proto(),
	})
}

// Heartbeat builds a heartbeat from H3 cell with the device's uptime.
func Heartbeat(b *agent.Builder, ent agent.Entropy, cell uint64, uptime time.Duration) (*reportv1.SignedReport, error) {
	if cell == 0 {
		return nil, errors.New("agent: heartbeat: cell is missing")
	}
	return b.Build(ent, kcov.Name, kcov.TypeHeartbeat, &coveragev1.Heartbeat{
		Cell:   cell,
		Uptime: uint64(max(uptime, 0) / time.Second),
	})
}
