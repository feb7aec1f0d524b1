package oracle_test

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/depin-network/depin/agent"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/oracle"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// toy is a second network kind, declared here and nowhere else: a meter
// whose "reading" report carries an 8-byte big-endian value (no protobuf:
// bodies are the kind's own bytes). A reading earns its value in units of
// the toy pool if the device is registered, the reading is inside the
// epoch and at most toy.max_reading; its state counts the epochs scored.
type toy struct{}

var maxReading = params.Spec{Name: "toy.max_reading", Default: 1000, Min: 1, Max: 1_000_000, Unit: "units", Doc: "largest reading paid"}

func (toy) Name() string                                  { return "toy" }
func (toy) Specs() []params.Spec                          { return []params.Spec{maxReading} }
func (toy) CheckParams(kind.Params) error                 { return nil }
func (toy) ReportTypes() []string                         { return []string{"reading"} }
func (toy) ScorerVersions() []uint32                      { return []uint32{1} }
func (toy) CheckAttributes(_ kind.Params, a []byte) error { return nil }

func (toy) CheckReport(typ string, body, _ []byte) error {
	if typ != "reading" || len(body) != 8 || binary.BigEndian.Uint64(body) == 0 {
		return fmt.Errorf("a reading is 8 bytes, not zero: %w", kind.ErrInvalid)
	}
	return nil
}

func (toy) Scorer(v uint32) (kind.Scorer, bool) {
	if v != 1 {
		return nil, false
	}
	return kind.ScoreFunc(scoreToy), true
}

func scoreToy(in kind.Input) (kind.Output, error) {
	out := kind.Output{ScorerVersion: 1, State: binary.BigEndian.AppendUint64(nil, 1)}
	if len(in.State) == 8 {
		out.State = binary.BigEndian.AppendUint64(nil, binary.BigEndian.Uint64(in.State)+1)
	}
	max := in.Params.Must(maxReading.Name)
	units := map[ledger.Address]uint64{}
	counts := map[string]uint64{}
	for _, r := range in.Reports {
		v := binary.BigEndian.Uint64(r.Body)
		reason := kind.ReasonValid
		switch {
		case !registered(in.Devices, r.Device):
			reason = "unknown_device"
		case r.Received < in.Start || r.Received >= in.End:
			reason = "outside_epoch"
		case v > max:
			reason = "above_max"
		}
		share := uint64(0)
		if reason == kind.ReasonValid {
			share = v
			units[r.Device] += v
		}
		counts[reason]++
		out.Reasons = append(out.Reasons, kind.Reason{ID: r.ID, Device: r.Device, Role: "meter", Reason: reason, Units: v, Scale: 1, Share: share})
	}
	for _, d := range in.Devices { // sorted by ID
		if u := units[d.ID]; u > 0 {
			out.Shares = append(out.Shares, kind.Share{Device: d.ID, Pool: "toy", Units: u})
		}
	}
	for _, r := range []string{"above_max", "outside_epoch", "unknown_device", kind.ReasonValid} {
		if counts[r] > 0 {
			out.Counts = append(out.Counts, kind.Count{Role: "meter", Reason: r, Count: counts[r]})
		}
	}
	return out, nil
}

func registered(devs []kind.Device, id ledger.Address) bool {
	for _, d := range devs {
		if d.ID == id {
			return true
		}
	}
	return false
}

// TestToyKindEndToEnd registers the toy kind beside coverage and runs it
// through the real pieces: onboarding on the chain, ingest's checks and
// log, segments committed on chain, the oracle service scoring and
// settling the epoch, and a replay from what the oracle published.
func TestToyKindEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kinds := kind.NewRegistry(coverage.Kind{}, toy{})

	g := clienttest.Genesis("authority", 1_000_000_000_000, "owner", "oracle", "operator")
	g.Params = map[string]uint64{"epoch.blocks": 20, reward.SegmentGraceBlocks.Name: 2}
	maker := clienttest.Key("maker")
	g.Modules = map[string]json.RawMessage{}
	mod := func(name string, v any) { g.Modules[name] = mustJSON(t, v) }
	mod("device", chain.DeviceGenesis{Makers: []chain.GenesisMaker{{Name: "Meters", PubKey: hex.EncodeToString(sig.PublicOf(maker)), Kinds: []string{"toy"}}}})
	mod("proof", chain.ProofGenesis{Operators: []string{clienttest.Addr("operator").String()}})
	mod("reward", chain.RewardGenesis{
		Oracles: []chain.GenesisOracle{{Address: clienttest.Addr("oracle").String(), Weight: 1}},
		Pools: []chain.GenesisPool{
			{Name: "toy", Bps: 8000, Recipient: "devices", Kind: "toy"},
			{Name: "oracles", Bps: 700, Recipient: "oracles"},
			{Name: "treasury", Bps: 1300, Recipient: "treasury"},
		},
	})
	c, err := clienttest.NewChainWithKinds("toy-1", g, kinds)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()
	rpc, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	// Three meters onboard through the generic registry.
	var keys []*agent.Key
	for i := range 3 {
		k, _ := agent.KeyFromSeed(fmt.Appendf(make([]byte, 0, 32), "toy meter %-22d", i))
		keys = append(keys, k)
		typ, val := device.Onboard(maker, sig.KeyFromSeed(k.Seed()), "toy", fmt.Sprintf("M-%d", i), c.ChainID(), clienttest.Addr("owner"))
		if res, err := c.Exec("owner", clienttest.Msg(typ, val)); err != nil || res.Code != ledger.CodeOK {
			t.Fatalf("onboard meter %d: %v %v", i, res.Log, err)
		}
	}

	// Ingest with the chain's clock: block h is at h seconds.
	view := node.ChainView{App: c.App()}
	now := func() time.Time { h, _ := c.App().LastCommit(); return time.Unix(h, 0) }
	icfg := ingest.DefaultConfig()
	icfg.DataDir, icfg.ListenAddr, icfg.SegmentMaxAge = t.TempDir(), "127.0.0.1:0", time.Second
	isvc, err := ingest.New(icfg, ingest.Deps{
		Log: ingest.NewMemLog(1 << 24), Oracles: view, Registry: view, Kinds: kinds, Entropy: view, Epochs: view,
		Committer: &node.SegmentCommitter{RPC: rpc, Key: clienttest.Key("operator"), App: c.App()}, Now: now,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// Services stop before the test's temporary dirs are removed.
	ingestDone := make(chan struct{})
	go func() { defer close(ingestDone); _ = isvc.Run(ctx) }()
	defer func() { cancel(); <-ingestDone; _ = isvc.Close() }()

	send := func(i int, nonce uint64, typ string, value uint64) *ingestv1.ReportResult {
		h := view.Height()
		hash, _ := view.BlockHash(h)
		rep := &reportv1.Report{PubKey: keys[i].PubKey(), Nonce: nonce, Timestamp: now().UnixNano(),
			Entropy: &reportv1.BlockRef{Height: h, Hash: hash}, Kind: "toy", Type: typ, Body: binary.BigEndian.AppendUint64(nil, value)}
		sr, err := agent.SignReport(keys[i], rep)
		if err != nil {
			t.Fatal(err)
		}
		res, err := isvc.Submit(ctx, []*reportv1.SignedReport{sr})
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	for i, v := range []uint64{100, 300, 5000} { // the third is above toy.max_reading
		if r := send(i, 1, "reading", v); r.GetStatus() != ingestv1.Status_STATUS_ACCEPTED {
			t.Fatalf("meter %d reading: %v %s", i, r.GetStatus(), r.GetMessage())
		}
	}
	if r := send(0, 2, "gauge", 1); r.GetStatus() != ingestv1.Status_STATUS_MALFORMED {
		t.Errorf("a report type the toy kind lacks: got %v %s, want malformed", r.GetStatus(), r.GetMessage())
	}

	// The oracle service scores and settles epoch 0.
	ocfg := oracle.DefaultConfig()
	ocfg.DataDir, ocfg.ListenAddr, ocfg.PollInterval = t.TempDir(), "127.0.0.1:0", 20*time.Millisecond
	okey := clienttest.Key("oracle")
	led := &oracle.NodeLedger{State: c.App(), Client: rpc, Key: okey, Fee: 1000,
		BlockTime: func(_ context.Context, h int64) (int64, error) { return h * 1e9, nil }}
	src := replay.NewHTTPSource("", "http://"+isvc.Addr())
	src.Sign = func(r *http.Request) { ingest.SignSegmentRequest(r, okey, time.Now()) }
	osvc, err := oracle.New(ocfg, led, src, kinds, geo.H3{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	oracleDone := make(chan struct{})
	go func() { defer close(oracleDone); _ = osvc.Run(ctx) }()
	defer func() { cancel(); <-oracleDone; _ = osvc.Close() }()
	for {
		if _, ok := reward.GetSettlement(c.App().Committed(), 0); ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("epoch 0 never settled")
		}
		if _, err := c.Block(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	pub := replay.NewHTTPSource("http://"+osvc.Addr(), "")
	sum, err := pub.Summary(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Valid != 2 || sum.Invalid != 1 || sum.Devices != 3 {
		t.Errorf("summary: got %d valid, %d invalid, %d devices; want 2, 1, 3", sum.Valid, sum.Invalid, sum.Devices)
	}
	var paid []uint64
	for i := range keys {
		e, err := pub.Explanation(ctx, 0, ledger.Address(keys[i].Address()))
		if err != nil {
			t.Fatal(err)
		}
		paid = append(paid, e.Payout)
	}
	// 8000 bps of the emission, split 100:300 between the two valid meters.
	if paid[0] == 0 || paid[1] != 3*paid[0] || paid[2] != 0 {
		t.Errorf("payouts: got %v, want meter 1 three times meter 0 and nothing for the reading above the max", paid)
	}

	res, err := score.Replay(ctx, &replay.RPCChain{Client: rpc}, pub, kinds, 0, geo.H3{})
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if !res.Match {
		t.Errorf("replay: root %s, the chain settled %s", res.ReplayRoot, res.ChainRoot)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
