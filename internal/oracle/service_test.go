package oracle

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
)

// segmentServer serves the scenario's segments like ingest does.
func segmentServer(t *testing.T, m *memSource) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/segments/{hash}", func(w http.ResponseWriter, r *http.Request) {
		h, err := parseHash(r.PathValue("hash"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, err := m.Segment(r.Context(), h)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		_, _ = w.Write(b)
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv
}

// startService runs a service over the scenario's chain until the test ends.
func startService(t *testing.T, s *scenario, dir, ingestURL string) *Service {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr, cfg.PollInterval = dir, "127.0.0.1:0", 10*time.Millisecond
	svc, err := New(cfg, s.chain, replay.NewHTTPSource("", ingestURL), testKinds, geo.H3{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		_ = svc.Close()
	})
	return svc
}

// waitNext waits, at most 20 s, until the service has scored epochs below n.
func waitNext(t *testing.T, svc *Service, n uint64) {
	t.Helper()
	for i := 0; i < 2000 && svc.Next() < n; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := svc.Next(); got < n {
		t.Fatalf("service next epoch: got %d, want %d", got, n)
	}
}

func TestServiceEndToEnd(t *testing.T) {
	s := newScenario(t)
	s.standard()
	ing := segmentServer(t, s.segs)
	dir := t.TempDir()
	svc := startService(t, s, dir, ing.URL)
	waitNext(t, svc, 2)

	ctx := context.Background()
	var subs []score.Settlement
	for e := range uint64(2) {
		subs = append(subs, s.settlement(e))
	}
	api := replay.NewHTTPSource("http://"+svc.Addr(), "")
	for _, sub := range subs {
		raw, err := api.Bundle(ctx, sub.Epoch)
		if err != nil {
			t.Fatal(err)
		}
		if h := score.BundleHash(raw); !bytes.Equal(h[:], sub.InputsHash) {
			t.Errorf("epoch %d: served bundle hash %x, submitted %x", sub.Epoch, score.BundleHash(raw), sub.InputsHash)
		}
		sum, err := api.Summary(ctx, sub.Epoch)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Root != sub.Root.String() || sum.InputsHash != hex.EncodeToString(sub.InputsHash) {
			t.Errorf("epoch %d summary: got root %s inputs %s, want %s %x", sub.Epoch, sum.Root, sum.InputsHash, sub.Root, sub.InputsHash)
		}
		// Anyone can replay from what the oracle serves (it mirrors the segments).
		res, err := score.Replay(ctx, s.chain, api, testKinds, sub.Epoch, geo.H3{})
		if err != nil {
			t.Fatalf("replay epoch %d over http: %v", sub.Epoch, err)
		}
		if !res.Match {
			t.Errorf("replay epoch %d over http: no match: %+v", sub.Epoch, res.Differences)
		}
	}

	// Claim proofs verify against the settled root.
	set, _ := s.chain.Settlement(ctx, 1)
	for _, dev := range s.devs {
		p, err := api.Proof(ctx, dev)
		if err != nil {
			t.Fatalf("proof of %s: %v", dev, err)
		}
		mp, err := p.MerkleProof()
		if err != nil {
			t.Fatal(err)
		}
		if p.Epoch != 1 || !reward.VerifyProof(set.Root, dev, p.Cumulative, mp) {
			t.Errorf("proof of %s (epoch %d, cumulative %d) does not verify against the settled root", dev, p.Epoch, p.Cumulative)
		}
	}

	// The auto-claimer claims every device once.
	var reqs []ClaimRequest
	for _, dev := range s.devs {
		reqs = append(reqs, ClaimRequest{Key: clienttest.Key("owner"), Device: dev})
	}
	reqs = append(reqs, ClaimRequest{Key: clienttest.Key("owner"), Device: ledger.AddressOf([]byte("unknown"))})
	cl := &Claimer{Proofs: api, Sender: s.chain}
	n, err := cl.ClaimAll(ctx, reqs)
	if err != nil || n != len(s.devs) {
		t.Errorf("first claims: got %d, %v; want %d, nil", n, err, len(s.devs))
	}
	if n, err := cl.ClaimAll(ctx, reqs); err != nil || n != 0 {
		t.Errorf("second claims: got %d, %v; want 0, nil (nothing new)", n, err)
	}
	m1, _ := reward.DecodeManifest(s.segs.manifests[1])
	if m1 == nil {
		raw, _ := api.Manifest(ctx, 1)
		m1, _ = reward.DecodeManifest(raw)
	}
	if _, err := s.c.Block(); err != nil { // commit the last claim
		t.Fatal(err)
	}
	for _, e := range m1.Entries {
		if got := reward.Claimed(s.c.App().Committed(), e.Device); got != e.Cumulative {
			t.Errorf("device %s claimed %d, want its cumulative %d", e.Device, got, e.Cumulative)
		}
	}

	// A restart resumes after the stored epochs and serves them.
	ctx2 := context.Background()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = dir, ""
	again, err := New(cfg, s.chain, api, testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Next(); got != 2 {
		t.Errorf("after restart next epoch: got %d, want 2", got)
	}
	if done, err := again.Step(ctx2); done || err != nil {
		t.Errorf("step with nothing to do: got %v, %v; want false, nil", done, err)
	}
}

// TestServiceWaitsForGrace checks an epoch is scored only after its
// segment grace window.
func TestServiceWaitsForGrace(t *testing.T) {
	s := newScenario(t)
	s.standard()
	s.setGrace(100_000)
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = t.TempDir(), ""
	svc, err := New(cfg, s.chain, s.segs, testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if done, err := svc.Step(context.Background()); done || err != nil {
		t.Fatalf("step inside the grace window: got %v, %v; want false, nil", done, err)
	}
	s.setGrace(graceBlocks)
	if done, err := svc.Step(context.Background()); !done || err != nil {
		t.Fatalf("step after the grace window: got %v, %v; want true, nil", done, err)
	}
}

func TestExplanationAPI(t *testing.T) {
	s, svc, _ := scoredService(t, 2)
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	stranger := ledger.AddressOf([]byte("nobody"))
	tests := []struct {
		name       string
		path       string
		status     int
		payout     bool   // payout > 0
		reports    int    // number of reports, -1 to skip
		firstRsn   string // reason of some report, "" to skip
		epoch      uint64
		cumulative bool // cumulative > 0
	}{
		{"device latest epoch", "/v1/rewards/devices/" + s.devs[0].String(), 200, true, 6, "valid", 1, true},
		{"device epoch 0 with an invalid witness", "/v1/rewards/devices/" + s.devs[0].String() + "?epoch=0", 200, false, 6, "invalid_frequency", 0, false},
		{"stranger", "/v1/rewards/devices/" + stranger.String(), 200, false, 0, "", 1, false},
		{"bad device id", "/v1/rewards/devices/xyz", 400, false, -1, "", 0, false},
		{"bad epoch", "/v1/rewards/devices/" + s.devs[0].String() + "?epoch=-1", 400, false, -1, "", 0, false},
		{"unscored epoch", "/v1/rewards/devices/" + s.devs[0].String() + "?epoch=9", 404, false, -1, "", 0, false},
		{"proof of a stranger", "/v1/rewards/devices/" + stranger.String() + "/proof", 404, false, -1, "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status: got %d, want %d (%s)", resp.StatusCode, tc.status, body)
			}
			if tc.status != 200 {
				var e apidoc.Error
				if json.Unmarshal(body, &e) != nil || e.Error == "" || e.Status == "" || e.Code == 0 {
					t.Errorf("error body %q is not {code, status, error}", body)
				}
				return
			}
			var e score.Explanation
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if e.Epoch != tc.epoch || (e.Payout > 0) != tc.payout || (e.Cumulative > 0) != tc.cumulative {
				t.Errorf("got epoch %d payout %d cumulative %d, want epoch %d payout>0 %v cumulative>0 %v",
					e.Epoch, e.Payout, e.Cumulative, tc.epoch, tc.payout, tc.cumulative)
			}
			if tc.reports >= 0 && len(e.Reports) != tc.reports {
				t.Errorf("reports: got %d, want %d", len(e.Reports), tc.reports)
			}
			if tc.firstRsn != "" {
				found := false
				for _, r := range e.Reports {
					found = found || r.Reason == tc.firstRsn
				}
				if !found {
					t.Errorf("no report with reason %s in %+v", tc.firstRsn, e.Reports)
				}
			}
			var sum uint64
			for _, p := range e.Pools {
				sum += p.Amount
			}
			if sum != e.Payout {
				t.Errorf("pool amounts sum to %d, payout %d", sum, e.Payout)
			}
		})
	}
}

// TestServiceNeedsSettledPrior: an oracle starting afresh after epoch 0
// settled without it refuses to score epoch 1 until a peer serves epoch
// 0's settled result (the cumulative totals would reset), says so, then
// loads it from the peer and scores on.
func TestServiceNeedsSettledPrior(t *testing.T) {
	s := newScenario(t)
	s.standard()
	s.publish(0) // settled on chain by someone else
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = t.TempDir(), ""
	svc, err := New(cfg, s.chain, s.segs, testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	done, err := svc.Step(ctx)
	if done || !errors.Is(err, ErrPriorMismatch) || !strings.Contains(err.Error(), "epoch 1") {
		t.Fatalf("got %v, %v; want a refusal to score epoch 1 wrapping ErrPriorMismatch", done, err)
	}
	if st := svc.Status(); st.State != StatePriorMismatch || st.NextEpoch != 1 {
		t.Errorf("status: got %+v, want %s at epoch 1", st, StatePriorMismatch)
	}
	svc.AddPeer(s.segs)
	if done, err := svc.Step(ctx); !done || err != nil {
		t.Fatalf("step with a peer: got %v, %v; want true, nil", done, err)
	}
	set := s.settlement(1)
	rec, err := svc.store.record(1)
	if err != nil || rec.Root != set.Root.String() {
		t.Errorf("epoch 1: got root %v (%v), settled %s", rec, err, set.Root)
	}
}

// setGrace changes reward.segment_grace_blocks through the params
// authority.
func (s *scenario) setGrace(n uint64) {
	s.t.Helper()
	m, err := marshal(&paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: reward.SegmentGraceBlocks.Name, Value: n}}})
	if err != nil {
		s.t.Fatal(err)
	}
	if res, err := s.c.Exec("authority", clienttest.Msg(params.TypeSet, m)); err != nil || res.Code != ledger.CodeOK {
		s.t.Fatalf("set grace %d: %v %v", n, res.Log, err)
	}
}

// settlement commits blocks, at most for 20 s, until the service's root
// of epoch n is settled on chain, and returns the settlement.
func (s *scenario) settlement(n uint64) score.Settlement {
	s.t.Helper()
	for range 2000 {
		if set, err := s.chain.Settlement(context.Background(), n); err == nil {
			return set
		}
		if _, err := s.c.Block(); err != nil {
			s.t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("epoch %d never settled", n)
	return score.Settlement{}
}
