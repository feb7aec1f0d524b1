package agent

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/sig"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Domain is the signature domain of device reports: a device signs
// sig.SignBytes(Domain, encoded Report). Ingest verifies under the same
// domain (internal/ingest.Domain).
const Domain = "depin/report/v1"

// ErrBadSignature is returned by VerifyReport for a signature that does not
// verify.
var ErrBadSignature = errors.New("bad signature")

// BlockRef names a chain block: the entropy a report answers.
type BlockRef struct {
	Height int64
	Hash   [32]byte
}

// Proto returns the report schema's form of b.
func (b BlockRef) Proto() *reportv1.BlockRef {
	return &reportv1.BlockRef{Height: b.Height, Hash: bytes.Clone(b.Hash[:])}
}

// Entropy is the block reports should answer now and how many blocks behind
// the chain head ingest still accepts.
type Entropy struct {
	Block  BlockRef
	Window int64
}

// Frame is a beacon as it goes over the air. A hardware Radio carries the
// beaconer's key and the entropy block alongside the payload (for instance
// in a frame header), so that witnesses can name them in their reports.
type Frame struct {
	// Beaconer is the transmitting device's public key.
	Beaconer []byte
	// Entropy is the block the beacon answers.
	Entropy BlockRef
	// Payload is the beacon data (coverage.BeaconPayloadSize bytes).
	Payload []byte
	// FrequencyHz is the channel the beacon is sent on.
	FrequencyHz uint64
	// TxPowerDdBm is the conducted transmit power in tenths of dBm.
	TxPowerDdBm int32
	// Region is the regional plan the beacon follows.
	Region coverage.Region
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

// Builder builds and signs a device's reports, each with the device's next
// nonce and the device clock as timestamp. It is safe for concurrent use.
type Builder struct {
	key    *Key
	nonces *NonceStore
	now    func() time.Time
}

// NewBuilder returns a builder signing with key and numbering with nonces;
// now is the device clock (time.Now if nil).
func NewBuilder(key *Key, nonces *NonceStore, now func() time.Time) *Builder {
	if now == nil {
		now = time.Now
	}
	return &Builder{key: key, nonces: nonces, now: now}
}

// Key returns the builder's key.
func (b *Builder) Key() *Key { return b.key }

// BeaconFrame computes the beacon a device transmits for entropy block ent
// with its 4 bytes of local entropy in region r: the payload from
// coverage.BeaconPayload, the channel from coverage.BeaconFrequency and the
// region's maximum power, as Helium beacons use (reference/helium.md §1.2).
func BeaconFrame(k *Key, ent BlockRef, local [coverage.LocalEntropySize]byte, r coverage.Region) (Frame, error) {
	plan, ok := r.Plan()
	if !ok {
		return Frame{}, fmt.Errorf("agent: beacon: no channel plan for region %s", r)
	}
	payload, err := coverage.BeaconPayload(ent.Hash, local[:], k.Address())
	if err != nil {
		return Frame{}, fmt.Errorf("agent: beacon: %w", err)
	}
	freq, err := coverage.BeaconFrequency(r, payload)
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
func (b *Builder) Beacon(ent Entropy, r coverage.Region, local [coverage.LocalEntropySize]byte) (*reportv1.SignedReport, Frame, error) {
	f, err := BeaconFrame(b.key, ent.Block, local, r)
	if err != nil {
		return nil, Frame{}, err
	}
	sr, err := b.Build(ent, coverage.Name, coverage.TypeBeacon, &coveragev1.Beacon{
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
func (b *Builder) Witness(ent Entropy, h Heard) (*reportv1.SignedReport, error) {
	if bytes.Equal(h.Frame.Beaconer, b.key.PubKey()) {
		return nil, errors.New("agent: witness: a device cannot witness its own beacon")
	}
	return b.Build(ent, coverage.Name, coverage.TypeWitness, &coveragev1.Witness{
		Beaconer:      bytes.Clone(h.Frame.Beaconer),
		Payload:       bytes.Clone(h.Frame.Payload),
		Frequency:     h.FrequencyHz,
		Signal:        h.SignalDdBm,
		Snr:           h.SNRDdB,
		BeaconEntropy: h.Frame.Entropy.Proto(),
	})
}

// Heartbeat builds a heartbeat from H3 cell with the device's uptime.
func (b *Builder) Heartbeat(ent Entropy, cell uint64, uptime time.Duration) (*reportv1.SignedReport, error) {
	if cell == 0 {
		return nil, errors.New("agent: heartbeat: cell is missing")
	}
	return b.Build(ent, coverage.Name, coverage.TypeHeartbeat, &coveragev1.Heartbeat{
		Cell:   cell,
		Uptime: uint64(max(uptime, 0) / time.Second),
	})
}

// Build encodes body as a report of a kind and type answering ent.Block,
// and signs it with the device's next nonce.
func (b *Builder) Build(ent Entropy, kind, typ string, body proto.Message) (*reportv1.SignedReport, error) {
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("agent: build %s %s report: %w", kind, typ, err)
	}
	return b.Sign(&reportv1.Report{Entropy: ent.Block.Proto(), Kind: kind, Type: typ, Body: raw})
}

// Sign fills rep's public key, next nonce and timestamp, then encodes and
// signs it. rep is modified.
func (b *Builder) Sign(rep *reportv1.Report) (*reportv1.SignedReport, error) {
	n, err := b.nonces.Next()
	if err != nil {
		return nil, err
	}
	rep.PubKey = b.key.PubKey()
	rep.Nonce = n
	rep.Timestamp = b.now().UnixNano()
	return SignReport(b.key, rep)
}

// SignReport encodes rep as it is and signs the bytes:
// SignedReport{report, Sign(sig.SignBytes(Domain, report))}.
func SignReport(k *Key, rep *reportv1.Report) (*reportv1.SignedReport, error) {
	body, err := proto.MarshalOptions{Deterministic: true}.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("agent: sign report: %w", err)
	}
	return &reportv1.SignedReport{Report: body, Signature: k.Sign(Domain, body)}, nil
}

// VerifyReport decodes a signed report and verifies its signature under
// ZIP-215 for the public key it names, as ingest does. It does not check the
// report's other fields.
func VerifyReport(sr *reportv1.SignedReport) (*reportv1.Report, error) {
	rep := new(reportv1.Report)
	if err := proto.Unmarshal(sr.GetReport(), rep); err != nil {
		return nil, fmt.Errorf("agent: verify report: decode: %w", err)
	}
	if !sig.Verify(rep.GetPubKey(), Domain, sr.GetReport(), sr.GetSignature()) {
		return nil, fmt.Errorf("agent: verify report: %w", ErrBadSignature)
	}
	return rep, nil
}
