package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/sig"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Oracles agree by construction (docs/proof-of-coverage.md, "Why oracles
// agree"): three oracle services over one real chain, each with its own
// key, data dir and API, score several epochs at different times while the
// chain changes under them. The quorum is the whole set, so an epoch
// settles only if all three submit identical content.

const maxWitnesses = "coverage.max_witnesses_per_beacon"

// agreeOracle is one oracle of the test: its service, data dir and API.
type agreeOracle struct {
	label string
	svc   *Service
	dir   string
	srv   *httptest.Server
	mu    sync.Mutex // guards svc for the API handler
}

func (o *agreeOracle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	h := o.svc.Handler()
	o.mu.Unlock()
	h.ServeHTTP(w, r)
}

// start (re)creates the oracle's service over dir with the given peers.
func (o *agreeOracle) start(t *testing.T, s *scenario, ingestURL, dir string, peers ...*agreeOracle) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = dir, ""
	for _, p := range peers {
		cfg.Peers = append(cfg.Peers, p.srv.URL)
	}
	led := &NodeLedger{State: s.c.App(), Client: s.rpc, Key: clienttest.Key(o.label), Fee: 1000, BlockTime: s.chain.BlockTime}
	svc, err := New(cfg, led, replay.NewHTTPSource("", ingestURL), testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	o.svc, o.dir = svc, dir
	o.mu.Unlock()
}

// step runs one step of the oracle and wants it to score and submit.
func (o *agreeOracle) step(t *testing.T, n uint64) {
	t.Helper()
	done, err := o.svc.Step(context.Background())
	if !done || err != nil {
		t.Fatalf("oracle %s, epoch %d: step got %v, %v; want scored and submitted (status %+v)", o.label, n, done, err, o.svc.Status())
	}
}

func TestThreeOraclesAgree(t *testing.T) {
	labels := []string{"oracle-a", "oracle-b", "oracle-c"}
	s := newScenarioWith(t, labels, map[string]uint64{reward.QuorumBps.Name: reward.BpsTotal})
	ing := segmentServer(t, s.segs)
	var os3 []*agreeOracle
	for _, l := range labels {
		o := &agreeOracle{label: l}
		o.srv = httptest.NewServer(o) // listens on 127.0.0.1
		t.Cleanup(o.srv.Close)
		os3 = append(os3, o)
	}
	a, b, c := os3[0], os3[1], os3[2]
	for i, o := range os3 {
		o.start(t, s, ing.URL, t.TempDir(), os3[(i+1)%3], os3[(i+2)%3])
	}
	ctx := context.Background()
	// settled checks that epoch n settled with all three agreeing, each
	// oracle's stored root and inputs being the settled ones.
	settled := func(n uint64, who ...*agreeOracle) score.Settlement {
		t.Helper()
		set, err := s.chain.Settlement(ctx, n)
		if err != nil {
			t.Fatalf("epoch %d did not settle: %v", n, err)
		}
		rs, _ := reward.GetSettlement(s.c.App().Committed(), n)
		if rs.AgreeWeight != 3 || len(rs.Disagreeing) != 0 {
			t.Errorf("epoch %d: agree weight %d, disagreeing %d; want 3 and none", n, rs.AgreeWeight, len(rs.Disagreeing))
		}
		for _, o := range who {
			rec, err := o.svc.store.record(n)
			if err != nil || rec.Root != set.Root.String() || rec.InputsHash != fmt.Sprintf("%x", set.InputsHash) {
				t.Errorf("oracle %s epoch %d: record %+v, %v; want the settled root %s and inputs %x", o.label, n, rec, err, set.Root, set.InputsHash)
			}
		}
		return set
	}
	bundle := func(o *agreeOracle, n uint64) *score.Bundle {
		t.Helper()
		raw, err := replay.NewHTTPSource(o.srv.URL, "").Bundle(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		b, err := score.DecodeBundle(raw)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// Epoch 0: all score as soon as it can be scored.
	e0 := s.epoch(0)
	s.commit(0, s.round(0, e0.StartHeight+1, true))
	s.ended(0)
	for _, o := range os3 {
		o.step(t, 0)
	}
	settled(0, a, b, c)

	// Epoch 1: a parameter changes in its middle (it applies to epoch 1), a
	// device is onboarded at its last height and a reporting device is
	// decommissioned at the first height of epoch 2.
	e1 := s.epoch(1)
	s.commit(1, s.round(1, e1.StartHeight+1, false))
	s.advance((e1.StartHeight + e1.EndHeight) / 2)
	s.setParam(maxWitnesses, 2)
	s.advance(e1.EndHeight - 1)
	late := sig.KeyFromSeed(bytes.Repeat([]byte{7}, 32))
	lateID := ledger.AddressOf(sig.PublicOf(late))
	s.exec("owner", clienttest.Msg(device.Onboard(clienttest.Key("maker"), late, coverage.Name, "SN-late", s.c.ChainID(), clienttest.Addr("owner"))))
	if h := s.height(); h != e1.EndHeight {
		t.Fatalf("onboarded at height %d, want epoch 1's end %d", h, e1.EndHeight)
	}
	s.exec("owner", clienttest.Msg(device.DecommissionMsg(s.devs[5])))
	s.ended(1)
	// Oracle a scores epoch 1 first; then the chain moves on (a param, an
	// owner and the denylist change) before b and c score it.
	a.step(t, 1)
	s.setParam(maxWitnesses, 3)
	s.exec("owner", clienttest.Msg(device.TransferMsg(s.devs[0], clienttest.Addr("operator"))))
	s.exec("authority", clienttest.Msg(device.SetDeniedMsg(s.devs[1], true, "test")))
	b.step(t, 1)
	c.step(t, 1)
	settled(1, a, b, c)
	b1 := bundle(c, 1)
	k1, _ := b1.Kind(coverage.Name)
	if v, _ := k1.Params.Get(maxWitnesses); v != 2 {
		t.Errorf("epoch 1 scored with %s = %d, want 2 (the value at its end height)", maxWitnesses, v)
	}
	checkDevices(t, 1, k1, map[ledger.Address]string{lateID: "present", s.devs[5]: "present", s.devs[0]: "owner", s.devs[1]: "allowed"})

	// Oracle b restarts and has lost its data dir: it joins at the next
	// epoch to settle and loads epoch 1's settled result from its peers.
	b.start(t, s, ing.URL, t.TempDir(), a, c)
	e2 := s.epoch(2)
	s.commit(2, s.round(2, e2.StartHeight+1, false))
	s.ended(2)
	for _, o := range os3 {
		o.step(t, 2)
	}
	settled(2, a, b, c)
	if got := testutil.ToFloat64(b.svc.m.recovered); got != 1 {
		t.Errorf("restarted oracle loaded %v settled results from peers, want 1", got)
	}
	if _, err := os.Stat(filepath.Join(b.dir, "settled", "1.json")); err != nil {
		t.Errorf("restarted oracle kept no copy of epoch 1's settled result: %v", err)
	}
	k2, _ := bundle(b, 2).Kind(coverage.Name)
	if v, _ := k2.Params.Get(maxWitnesses); v != 3 {
		t.Errorf("epoch 2 scored with %s = %d, want 3", maxWitnesses, v)
	}
	checkDevices(t, 2, k2, map[ledger.Address]string{lateID: "present", s.devs[5]: "absent", s.devs[0]: "transferred", s.devs[1]: "denied"})

	// Epoch 3: business as usual, b from its own epoch 2.
	e3 := s.epoch(3)
	s.commit(3, s.round(3, e3.StartHeight+1, false))
	s.ended(3)
	for _, o := range os3 {
		o.step(t, 3)
	}
	settled(3, a, b, c)

	// Replay, from any oracle's API, checks every input against the chain
	// (params and scorer versions recorded in the epoch, prior manifest
	// and states against the settlements) and matches.
	for n := uint64(1); n <= 3; n++ {
		for _, o := range []*agreeOracle{a, b} {
			if o == b && n < 2 {
				continue // b lost what it scored before its restart
			}
			res, err := score.Replay(ctx, s.chain, replay.NewHTTPSource(o.srv.URL, ing.URL), testKinds, n, geo.H3{})
			if err != nil || !res.Match {
				t.Errorf("replay of epoch %d from oracle %s: %+v, %v; want a match", n, o.label, res, err)
			}
		}
	}
}

// checkDevices checks the registry an epoch was scored with: "present",
// "absent", "owner" (still the original owner), "transferred", "allowed"
// (not denied) or "denied".
func checkDevices(t *testing.T, n uint64, k *score.KindInputs, want map[ledger.Address]string) {
	t.Helper()
	for id, w := range want {
		var got *ledgerDevice
		for _, d := range k.Devices {
			if d.ID == id {
				got = &ledgerDevice{owner: d.Owner, denied: d.Denied}
			}
		}
		ok := got != nil
		switch w {
		case "absent":
			ok = got == nil
		case "owner":
			ok = ok && got.owner == clienttest.Addr("owner")
		case "transferred":
			ok = ok && got.owner == clienttest.Addr("operator")
		case "allowed":
			ok = ok && !got.denied
		case "denied":
			ok = ok && got.denied
		}
		if !ok {
			t.Errorf("epoch %d device %s: got %+v, want %s", n, id, got, w)
		}
	}
}

type ledgerDevice struct {
	owner  ledger.Address
	denied bool
}

// TestTamperedPriorRecovers: an oracle whose stored state of the previous
// epoch was tampered with refuses to score on from it, says so, and
// recovers by loading the settled result from a peer; its root then
// replays against the chain.
func TestTamperedPriorRecovers(t *testing.T) {
	s := newScenario(t)
	s.standard()
	ing := segmentServer(t, s.segs)
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = t.TempDir(), ""
	svc, err := New(cfg, s.chain, replay.NewHTTPSource("", ing.URL), testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if done, err := svc.Step(ctx); !done || err != nil {
		t.Fatalf("epoch 0: %v, %v", done, err)
	}
	s.settlement(0)
	// Keep the genuine result where a peer serves it, then tamper: the
	// record of epoch 0 now names a forged state with a valid blob hash.
	rec, err := svc.store.record(0)
	if err != nil {
		t.Fatal(err)
	}
	if s.segs.manifests[0], err = svc.store.get(rec.Manifest); err != nil {
		t.Fatal(err)
	}
	if s.segs.states[0], err = svc.store.get(rec.State); err != nil {
		t.Fatal(err)
	}
	forged := score.EncodeStates([]score.KindState{{Kind: coverage.Name, State: []byte{1, 2, 3}}})
	if rec.State, err = svc.store.put(forged); err != nil {
		t.Fatal(err)
	}
	if err := svc.store.putRecord(rec); err != nil {
		t.Fatal(err)
	}

	done, err := svc.Step(ctx)
	if done || !errors.Is(err, ErrPriorMismatch) {
		t.Fatalf("step over a tampered prior: got %v, %v; want a refusal wrapping ErrPriorMismatch", done, err)
	}
	if st := svc.Status(); st.State != StatePriorMismatch || st.NextEpoch != 1 {
		t.Errorf("status: got %+v, want %s for epoch 1", st, StatePriorMismatch)
	}
	if got := testutil.ToFloat64(svc.m.refused.WithLabelValues("prior_mismatch")); got != 1 {
		t.Errorf("prior_mismatch refusals: got %v, want 1", got)
	}
	if got := testutil.ToFloat64(svc.m.blocked); got != 1 {
		t.Errorf("blocked gauge: got %v, want 1", got)
	}
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	var st Status
	if err := getJSON(srv.URL+"/v1/oracle/status", &st); err != nil || st.State != StatePriorMismatch {
		t.Errorf("GET /v1/oracle/status: got %+v, %v; want %s", st, err, StatePriorMismatch)
	}

	svc.AddPeer(s.segs)
	if done, err := svc.Step(ctx); !done || err != nil {
		t.Fatalf("step with a peer: got %v, %v; want scored and submitted", done, err)
	}
	if got := testutil.ToFloat64(svc.m.blocked); got != 0 {
		t.Errorf("blocked gauge after recovery: got %v, want 0", got)
	}
	set := s.settlement(1)
	res, err := score.Replay(ctx, s.chain, replay.NewHTTPSource(srv.URL, ing.URL), testKinds, 1, geo.H3{})
	if err != nil || !res.Match || res.ChainRoot != set.Root.String() {
		t.Fatalf("replay of epoch 1: %+v, %v; want a match with the settled root", res, err)
	}
}

// setParam changes a param through the params authority.
func (s *scenario) setParam(name string, v uint64) {
	s.t.Helper()
	m, err := marshal(&paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: name, Value: v}}})
	if err != nil {
		s.t.Fatal(err)
	}
	s.exec("authority", clienttest.Msg(params.TypeSet, m))
}

// exec runs one message signed by label as the next block.
func (s *scenario) exec(label string, m *txv1.Msg) {
	s.t.Helper()
	if res, err := s.c.Exec(label, m); err != nil || res.Code != ledger.CodeOK {
		s.t.Fatalf("%s by %s: %v %v", m.Type, label, res.Log, err)
	}
}

// getJSON decodes the JSON body of a GET.
func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// failingLedger fails the first submission, as a node that is down does.
type failingLedger struct {
	*testLedger
	failed bool
}

func (l *failingLedger) SubmitRoot(ctx context.Context, s Submission) error {
	if !l.failed {
		l.failed = true
		return errors.New("node unreachable")
	}
	return l.testLedger.SubmitRoot(ctx, s)
}

// TestResubmitSameContent: a submission that failed is retried at the
// next step with the same content (root, inputs and state hash).
func TestResubmitSameContent(t *testing.T) {
	s := newScenario(t)
	s.standard()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = t.TempDir(), ""
	svc, err := New(cfg, &failingLedger{testLedger: s.chain}, s.segs, testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if done, err := svc.Step(ctx); done || err == nil {
		t.Fatalf("first step: got %v, %v; want the submission error", done, err)
	}
	if _, err := svc.Step(ctx); err != nil {
		t.Fatalf("second step: %v", err)
	}
	set := s.settlement(0)
	rec, err := svc.store.record(0)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Root != set.Root.String() || rec.InputsHash != fmt.Sprintf("%x", set.InputsHash) || rec.State != fmt.Sprintf("%x", set.StateHash) {
		t.Errorf("settled %s inputs %x state %x; the oracle stored %s, %s, %s", set.Root, set.InputsHash, set.StateHash, rec.Root, rec.InputsHash, rec.State)
	}
}

// TestServiceJoinsWhenBehind: an oracle whose last scored epoch is behind
// the chain's settlements skips the settled epochs and scores the next one
// from the settled result a peer serves.
func TestServiceJoinsWhenBehind(t *testing.T) {
	s := newScenario(t)
	s.standard()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = t.TempDir(), ""
	svc, err := New(cfg, s.chain, s.segs, testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if done, err := svc.Step(ctx); !done || err != nil {
		t.Fatalf("epoch 0: %v, %v", done, err)
	}
	s.settlement(0)
	if err := s.segs.copyFrom(ctx, svc.store, 0); err != nil {
		t.Fatal(err)
	}
	s.publish(1) // settled while this oracle was away
	e2 := s.epoch(2)
	s.commit(2, s.round(2, e2.StartHeight+1, false))
	s.ended(2)
	svc.AddPeer(s.segs)
	if done, err := svc.Step(ctx); !done || err != nil {
		t.Fatalf("step: got %v, %v; want epoch 2 scored", done, err)
	}
	if _, err := svc.store.record(1); err == nil {
		t.Errorf("the oracle scored epoch 1, which settled without it")
	}
	set := s.settlement(2)
	if rec, err := svc.store.record(2); err != nil || rec.Root != set.Root.String() {
		t.Errorf("epoch 2: got %+v, %v; want the settled root %s", rec, err, set.Root)
	}
}

// copyFrom publishes what an oracle's store holds of epoch n.
func (m *memSource) copyFrom(ctx context.Context, st SettledSource, n uint64) error {
	mb, err := st.Manifest(ctx, n)
	if err != nil {
		return err
	}
	sb, err := st.State(ctx, n)
	if err != nil {
		return err
	}
	m.manifests[n], m.states[n] = mb, sb
	return nil
}
