package oracle

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Test scenarios use real signed reports in real segments, the real H3
// adapter, the real scorer and reward engine; the chain is MemChain.

const (
	t0          = int64(1_760_000_000) * int64(time.Second) // time of block 90
	blockGap    = int64(30 * time.Minute)
	epochBlocks = 30
	firstHeight = 90
	devices     = 6
	segmentSize = 20
)

func blockHash(h int64) [32]byte { return sha256.Sum256(fmt.Appendf(nil, "block %d", h)) }
func blockTime(h int64) int64    { return t0 + (h-firstHeight)*blockGap }

// scenario is a fleet of devices reporting into epochs of a MemChain.
type scenario struct {
	t testing.TB
	// forged names devices whose reports are signed by another key: what
	// someone who reached the log could write in a device's name.
	forged map[int]bool
	chain  *MemChain
	segs   *memSource
	keys   []sig.PrivateKey
	devs   []ledger.Address
	nonces []uint64
	seq    uint64
	prev   []byte
}

func newScenario(t testing.TB) *scenario {
	t.Helper()
	s := &scenario{t: t, chain: NewMemChain(), segs: newMemSource()}
	for h := int64(firstHeight); h <= firstHeight+4*epochBlocks; h++ {
		s.chain.AddBlock(Block{Height: h, Hash: blockHash(h), Time: blockTime(h)})
	}
	s.chain.SetGrace(5)
	var devs []kind.Device
	for i := range devices {
		seed := make([]byte, 32)
		copy(seed, fmt.Sprintf("device %d", i))
		priv := sig.KeyFromSeed(seed)
		pub := sig.PublicOf(priv)
		dev := ledger.AddressOf(pub)
		s.keys, s.devs, s.nonces = append(s.keys, priv), append(s.devs, dev), append(s.nonces, 0)
		// A 3×2 grid about 2 km apart near Berlin, asserted at res 12.
		cell, err := geo.CellFromLatLng(525200000+int64(i%3)*200000, 134050000+int64(i/3)*300000, 12)
		if err != nil {
			t.Fatal(err)
		}
		devs = append(devs, kind.Device{ID: dev, Owner: ledger.AddressOf(fmt.Appendf(nil, "owner %d", i)),
			Cell: cell, Attributes: coverage.EncodeAttributes(12, 5, coverage.RegionEU868)})
	}
	s.chain.SetDevices(coverage.Name, devs)
	return s
}

// epoch records epoch n as ended on the chain.
func (s *scenario) epoch(n uint64) score.EpochInfo {
	e := score.EpochInfo{
		Number: n, StartHeight: firstHeight + int64(n)*epochBlocks, EndHeight: firstHeight + int64(n+1)*epochBlocks - 1,
		Ended: true, Emission: 1_000_000_000, Pools: reward.DefaultPools(),
	}
	s.chain.SetEpoch(e)
	return e
}

// round has every device beacon off the block at height (5 s apart) and
// every other device witness each beacon; with badFreq, the last device
// first device hears the last beacon 200 kHz off. It returns the log records.
func (s *scenario) round(n uint64, height int64, badFreq bool) [][]byte {
	var recs [][]byte
	ent := &reportv1.BlockRef{Height: height, Hash: s.hash(height)}
	for i := range devices {
		at := blockTime(height) + int64(i)*int64(5*time.Second)
		local := []byte{byte(n), byte(height), byte(i), 0xbe}
		eh := blockHash(height)
		payload, err := coverage.BeaconPayload(eh, local, s.devs[i])
		if err != nil {
			s.t.Fatal(err)
		}
		freq, err := coverage.BeaconFrequency(coverage.RegionEU868, payload)
		if err != nil {
			s.t.Fatal(err)
		}
		recs = append(recs, s.record(n, i, at, height, ent, &coveragev1.Beacon{
			LocalEntropy: local, Payload: payload, Frequency: freq, TxPower: 160, Region: "EU868"}))
		for j := range devices {
			if j == i {
				continue
			}
			wf := freq
			if badFreq && i == devices-1 && j == 0 {
				wf += 200_000
			}
			delay := int64(time.Second) + int64(j)*int64(10*time.Millisecond)
			recs = append(recs, s.record(n, j, at+delay, height, ent, &coveragev1.Witness{
				Beaconer: sig.PublicOf(s.keys[i]), Payload: payload, Frequency: wf, Signal: -1000, Snr: 55, BeaconEntropy: ent}))
		}
	}
	return recs
}

func (s *scenario) hash(h int64) []byte { b := blockHash(h); return b[:] }

func (s *scenario) record(n uint64, dev int, at, height int64, ent *reportv1.BlockRef, body proto.Message) []byte {
	s.nonces[dev]++
	rep := &reportv1.Report{PubKey: sig.PublicOf(s.keys[dev]), Nonce: s.nonces[dev], Timestamp: at, Entropy: ent, Kind: coverage.Name}
	switch body.(type) {
	case *coveragev1.Beacon:
		rep.Type = coverage.TypeBeacon
	case *coveragev1.Witness:
		rep.Type = coverage.TypeWitness
	}
	b, err := proto.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	rep.Body = b
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(rep)
	if err != nil {
		s.t.Fatal(err)
	}
	signer := s.keys[dev]
	if s.forged[dev] {
		signer = sig.KeyFromSeed(make([]byte, 32))
	}
	sr := &reportv1.SignedReport{Report: raw, Signature: sig.Sign(signer, ingest.Domain, raw)}
	rec, err := proto.MarshalOptions{Deterministic: true}.Marshal(&ingestv1.LogRecord{Report: sr, Received: at, Height: height, Epoch: n})
	if err != nil {
		s.t.Fatal(err)
	}
	return rec
}

// commit cuts records into segments, stores them in the segment source
// and commits them for epoch n.
func (s *scenario) commit(n uint64, recs [][]byte) []segment.Ref {
	var refs []segment.Ref
	for len(recs) > 0 {
		k := min(segmentSize, len(recs))
		seg := &ingestv1.Segment{Epoch: n, FirstSeq: s.seq + 1, Prev: s.prev, Records: recs[:k]}
		raw, err := segment.Encode(seg)
		if err != nil {
			s.t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		ref := segment.Ref{Hash: sum, MerkleRoot: segment.Root(seg), Count: uint64(k)}
		s.segs.segments[sum] = raw
		s.chain.CommitSegment(n, ref)
		refs = append(refs, ref)
		s.seq += uint64(k)
		s.prev = sum[:]
		recs = recs[k:]
	}
	return refs
}

// standard builds epochs 0 and 1: a round with a bad frequency in epoch 0,
// then a round in epoch 1 that profits from the activity of epoch 0.
func (s *scenario) standard() {
	s.epoch(0)
	s.commit(0, s.round(0, firstHeight+1, true))
	s.epoch(1)
	s.commit(1, s.round(1, firstHeight+epochBlocks+1, false))
}

// publish prepares epoch n after prior, publishes it in the source and
// submits it to the chain.
func (s *scenario) publish(n uint64, prior *Published) *Published {
	s.t.Helper()
	ctx := context.Background()
	pub, err := Prepare(ctx, s.chain, s.segs, testKinds, n, prior, 30*time.Second, geo.H3{})
	if err != nil {
		s.t.Fatalf("Prepare(%d): %v", n, err)
	}
	s.segs.bundles[n] = pub.Bundle
	s.segs.manifests[n] = pub.Manifest
	s.segs.explanations[n] = pub.Output.Devices
	if err := s.chain.SubmitRoot(ctx, pub.Submission()); err != nil {
		s.t.Fatalf("SubmitRoot(%d): %v", n, err)
	}
	return pub
}

// memSource is an in-memory Source and Explainer.
type memSource struct {
	segments     map[[32]byte][]byte
	bundles      map[uint64][]byte
	manifests    map[uint64][]byte
	explanations map[uint64][]score.Explanation
}

func newMemSource() *memSource {
	return &memSource{segments: map[[32]byte][]byte{}, bundles: map[uint64][]byte{}, manifests: map[uint64][]byte{},
		explanations: map[uint64][]score.Explanation{}}
}

func (m *memSource) Segment(_ context.Context, h [32]byte) ([]byte, error) {
	if b, ok := m.segments[h]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("segment %x: %w", h[:4], score.ErrNotFound)
}

func (m *memSource) Bundle(_ context.Context, n uint64) ([]byte, error) {
	if b, ok := m.bundles[n]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("bundle %d: %w", n, score.ErrNotFound)
}

func (m *memSource) Manifest(_ context.Context, n uint64) ([]byte, error) {
	if b, ok := m.manifests[n]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("manifest %d: %w", n, score.ErrNotFound)
}

func (m *memSource) Explanation(_ context.Context, n uint64, dev ledger.Address) (score.Explanation, error) {
	if e, ok := score.FindExplanation(m.explanations[n], dev); ok {
		return e, nil
	}
	return score.Explanation{}, fmt.Errorf("explanation: %w", score.ErrNotFound)
}

func unmarshal(b []byte, m proto.Message) error { return proto.Unmarshal(b, m) }

func marshal(m proto.Message) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// testKinds are the kinds the oracle tests score.
var testKinds = kind.NewRegistry(coverage.Kind{})
