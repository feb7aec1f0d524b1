package oracle

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"encoding/hex"
	"encoding/json"
	"errors"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
	"net/http/httptest"
)

// Test scenarios use real signed reports in real segments, the real H3
// adapter, the real scorer and reward engine, and the real ledger (the
// chain's modules in a clienttest chain, read and written through
// NodeLedger and the node's RPC client).

const (
	t0          = int64(1_760_000_000) * int64(time.Second) // time of block 0
	blockGap    = int64(30 * time.Minute)
	epochBlocks = 30
	graceBlocks = 5
	devices     = 6
	segmentSize = 20
)

func blockTime(h int64) int64 { return t0 + h*blockGap }

// scenario is a fleet of devices reporting into epochs of a real chain.
type scenario struct {
	t testing.TB
	// forged names devices whose reports are signed by another key: what
	// someone who reached the log could write in a device's name.
	forged map[int]bool
	c      *clienttest.Chain
	rpc    *client.Client
	chain  *testLedger
	segs   *memSource
	keys   []sig.PrivateKey
	devs   []ledger.Address
	nonces []uint64
	seq    uint64
	prev   []byte
}

// testLedger is the oracle's NodeLedger over the scenario's chain, with
// what a test changes on the way to see replay catch it: a settlement the
// chain records differently, or a segment commitment the bundle lacks.
type testLedger struct {
	*NodeLedger
	settled map[uint64]score.Settlement
	extra   map[uint64][]segment.Ref
}

// Settlement implements score.Chain, with SetSettlement's override.
func (l *testLedger) Settlement(ctx context.Context, n uint64) (score.Settlement, error) {
	if s, ok := l.settled[n]; ok {
		return s, nil
	}
	return l.NodeLedger.Settlement(ctx, n)
}

// Segments implements score.Chain, with CommitSegment's additions.
func (l *testLedger) Segments(ctx context.Context, n uint64) ([]segment.Ref, error) {
	refs, err := l.NodeLedger.Segments(ctx, n)
	return append(refs, l.extra[n]...), err
}

// SetSettlement makes the chain read as having settled s.
func (l *testLedger) SetSettlement(s score.Settlement) { l.settled[s.Epoch] = s }

// CommitSegment makes the chain read as having one more commitment.
func (l *testLedger) CommitSegment(n uint64, ref segment.Ref) { l.extra[n] = append(l.extra[n], ref) }

func newScenario(t testing.TB) *scenario { return newScenarioWith(t, []string{"oracle"}, nil) }

// newScenarioWith is newScenario with an oracle set of the given key
// labels (weight 1 each) and extra genesis params.
func newScenarioWith(t testing.TB, oracles []string, extra map[string]uint64) *scenario {
	t.Helper()
	maker := clienttest.Key("maker")
	g := clienttest.Genesis("authority", 1_000_000_000_000, append([]string{"owner", "operator"}, oracles...)...)
	g.Params = map[string]uint64{"epoch.blocks": epochBlocks, reward.SegmentGraceBlocks.Name: graceBlocks}
	for k, v := range extra {
		g.Params[k] = v
	}
	g.Modules = map[string]json.RawMessage{}
	var set []chain.GenesisOracle
	for _, o := range oracles {
		set = append(set, chain.GenesisOracle{Address: clienttest.Addr(o).String(), Weight: 1})
	}
	for name, v := range map[string]any{
		"device": chain.DeviceGenesis{Makers: []chain.GenesisMaker{{Name: "Acme", PubKey: hex.EncodeToString(sig.PublicOf(maker)), Kinds: []string{coverage.Name}}}},
		"proof":  chain.ProofGenesis{Operators: []string{clienttest.Addr("operator").String()}},
		"reward": chain.RewardGenesis{Oracles: set},
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		g.Modules[name] = b
	}
	c, err := clienttest.NewChainWithKinds("oracle-test-1", g, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	c.SetBlockTime(blockTime)
	srv := httptest.NewServer(c) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	rpc, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	led := &NodeLedger{State: c.App(), Client: rpc, Key: clienttest.Key(oracles[0]), Fee: 1000,
		BlockTime: func(_ context.Context, h int64) (int64, error) { return blockTime(h), nil }}
	s := &scenario{t: t, c: c, rpc: rpc, chain: &testLedger{NodeLedger: led, settled: map[uint64]score.Settlement{}, extra: map[uint64][]segment.Ref{}},
		segs: newMemSource()}
	var msgs []*txv1.Msg
	for i := range devices {
		seed := make([]byte, 32)
		copy(seed, fmt.Sprintf("device %d", i))
		priv := sig.KeyFromSeed(seed)
		dev := ledger.AddressOf(sig.PublicOf(priv))
		s.keys, s.devs, s.nonces = append(s.keys, priv), append(s.devs, dev), append(s.nonces, 0)
		// A 3×2 grid about 2 km apart near Berlin, asserted at res 12.
		cell, err := geo.CellFromLatLng(525200000+int64(i%3)*200000, 134050000+int64(i/3)*300000, 12)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs,
			clienttest.Msg(device.Onboard(maker, priv, coverage.Name, fmt.Sprintf("SN-%d", i), c.ChainID(), clienttest.Addr("owner"))),
			clienttest.Msg(device.AssertLocationMsg(dev, cell, coverage.EncodeAttributes(12, 5, coverage.RegionEU868))))
	}
	if res, err := c.Exec("owner", msgs...); err != nil || res.Code != ledger.CodeOK {
		t.Fatalf("onboard the fleet: %v %v", res.Log, err)
	}
	return s
}

// height is the chain's committed height.
func (s *scenario) height() int64 { h, _ := s.c.App().LastCommit(); return h }

// advance commits empty blocks up to height h.
func (s *scenario) advance(h int64) {
	s.t.Helper()
	for s.height() < h {
		if _, err := s.c.Block(); err != nil {
			s.t.Fatal(err)
		}
	}
}

// epoch advances the chain into epoch n, past its first block, and returns
// it as recorded.
func (s *scenario) epoch(n uint64) score.EpochInfo {
	s.t.Helper()
	for {
		e, err := s.chain.Epoch(context.Background(), n)
		if err == nil && s.height() > e.StartHeight {
			return e
		}
		if err != nil && !errors.Is(err, score.ErrNotFound) {
			s.t.Fatal(err)
		}
		s.advance(s.height() + 1)
	}
}

// ended advances the chain past epoch n's end and its segment grace window.
func (s *scenario) ended(n uint64) score.EpochInfo {
	s.t.Helper()
	e := s.epoch(n)
	s.advance(e.EndHeight + graceBlocks + 1)
	e, err := s.chain.Epoch(context.Background(), n)
	if err != nil || !e.Ended {
		s.t.Fatalf("epoch %d: got %+v, %v; want it ended", n, e, err)
	}
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
		eh := s.blockHash(height)
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

// blockHash is the entropy the chain recorded at height h.
func (s *scenario) blockHash(h int64) [32]byte {
	s.t.Helper()
	e, ok := proof.Entropy(s.c.App().Committed(), h)
	if !ok {
		s.t.Fatalf("no entropy at height %d", h)
	}
	return e
}

func (s *scenario) hash(h int64) []byte { b := s.blockHash(h); return b[:] }

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
		m, err := marshal(&proofv1.MsgCommitSegment{Epoch: n, Hash: sum[:], MerkleRoot: ref.MerkleRoot[:], Count: ref.Count})
		if err != nil {
			s.t.Fatal(err)
		}
		if res, err := s.c.Exec("operator", clienttest.Msg(proof.TypeCommitSegment, m)); err != nil || res.Code != ledger.CodeOK {
			s.t.Fatalf("commit segment of epoch %d: %v %v", n, res.Log, err)
		}
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
	e0 := s.epoch(0)
	s.commit(0, s.round(0, e0.StartHeight+1, true))
	e1 := s.epoch(1)
	s.commit(1, s.round(1, e1.StartHeight+1, false))
	s.ended(1)
}

// publish prepares epoch n after the settled epoch n-1, publishes it in
// the source and submits it to the chain.
func (s *scenario) publish(n uint64) *Published {
	s.t.Helper()
	ctx := context.Background()
	prior, err := LoadPrior(ctx, s.chain, n, s.segs)
	if err != nil {
		s.t.Fatalf("LoadPrior(%d): %v", n, err)
	}
	pub, err := Prepare(ctx, s.chain, s.segs, testKinds, n, prior, geo.H3{})
	if err != nil {
		s.t.Fatalf("Prepare(%d): %v", n, err)
	}
	s.segs.bundles[n] = pub.Bundle
	s.segs.manifests[n] = pub.Manifest
	s.segs.states[n] = pub.States
	s.segs.explanations[n] = pub.Output.Explanations()
	if err := s.chain.SubmitRoot(ctx, pub.Submission()); err != nil {
		s.t.Fatalf("SubmitRoot(%d): %v", n, err)
	}
	if _, err := s.c.Block(); err != nil {
		s.t.Fatal(err)
	}
	if _, ok := reward.GetSettlement(s.c.App().Committed(), n); !ok {
		s.t.Fatalf("epoch %d did not settle", n)
	}
	return pub
}

// memSource is an in-memory Source and Explainer.
type memSource struct {
	segments     map[[32]byte][]byte
	bundles      map[uint64][]byte
	manifests    map[uint64][]byte
	states       map[uint64][]byte
	explanations map[uint64][]score.Explanation
}

func newMemSource() *memSource {
	return &memSource{segments: map[[32]byte][]byte{}, bundles: map[uint64][]byte{}, manifests: map[uint64][]byte{}, states: map[uint64][]byte{},
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

func (m *memSource) State(_ context.Context, n uint64) ([]byte, error) {
	if b, ok := m.states[n]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("state %d: %w", n, score.ErrNotFound)
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

// scoredService is a service on the standard scenario, with its own data
// directory and no listener, that has stepped steps times.
func scoredService(t *testing.T, steps int) (*scenario, *Service, Config) {
	t.Helper()
	s := newScenario(t)
	s.standard()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = t.TempDir(), ""
	svc, err := New(cfg, s.chain, s.segs, testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range steps {
		if _, err := svc.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return s, svc, cfg
}
