package ingest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// TestSegmentsPrivateUntilEpochEndsPlusGrace is issue 19's test of the
// segment feed: while a segment's epoch runs, and for the grace after it,
// anonymous readers, unregistered keys, bad signatures and stale signed
// requests are refused and a registered oracle's signed request is served;
// after the grace anyone reads it. The listing stays public.
func TestSegmentsPrivateUntilEpochEndsPlusGrace(t *testing.T) {
	f := newFleet(2)
	cfg := testConfig(t)
	cfg.SegmentSize = 1 // cut at once: the test clock does not move by itself
	cfg.SegmentPublicGrace = time.Minute
	e := newEnv(t, cfg, f)
	e.deps.Epochs = FixedEpochs{Length: 150} // heights 100..149 are epoch 0
	e.svc.deps.Epochs = e.deps.Epochs
	if res := submitOne(t, e, f.heartbeat(0, ref(e.chain))); res.Status != ingestv1.Status_STATUS_ACCEPTED {
		t.Fatalf("report: got %v %q", res.Status, res.Message)
	}
	stop := e.run(t)
	defer stop()
	waitRecords(t, e, 1)
	seg := e.svc.store.all()[0]
	url := "http://" + e.svc.Addr() + "/v1/segments/" + seg.Hash

	stranger := sig.KeyFromSeed(make([]byte, 32))
	get := func(sign func(*http.Request)) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sign != nil {
			sign(req)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		buf := make([]byte, 512)
		n, _ := res.Body.Read(buf)
		b.Write(buf[:n])
		return res.StatusCode, b.String()
	}
	signAs := func(k sig.PrivateKey, at time.Time) func(*http.Request) {
		return func(r *http.Request) { SignSegmentRequest(r, k, at) }
	}
	refused := []struct {
		name string
		sign func(*http.Request)
		why  string
	}{
		{"anonymous", nil, "not signed by an oracle"},
		{"unregistered key", signAs(stranger, e.clock.Now()), "not in the chain's oracle set"},
		{"stale signature", signAs(testOracle, e.clock.Now().Add(-2*time.Minute)), "from ingest's clock"},
		{"signature for another path", func(r *http.Request) {
			other, _ := http.NewRequest(http.MethodGet, "http://x/v1/segments/00", nil)
			SignSegmentRequest(other, testOracle, e.clock.Now())
			r.Header = other.Header
		}, "does not verify"},
	}
	check := func(phase string) {
		t.Helper()
		for _, c := range refused {
			if code, body := get(c.sign); code != http.StatusForbidden || !strings.Contains(body, "segment_not_public") || !strings.Contains(body, c.why) {
				t.Errorf("%s, %s: got %d %q, want 403 segment_not_public (%s)", phase, c.name, code, body, c.why)
			}
		}
		if code, body := get(signAs(testOracle, e.clock.Now())); code != http.StatusOK {
			t.Errorf("%s, oracle: got %d %q, want 200", phase, code, body)
		}
	}
	check("epoch running")
	if code, _ := get(nil); code == http.StatusOK {
		t.Fatal("anonymous read during the epoch")
	}
	httpGet(t, "http://"+e.svc.Addr()+"/v1/epochs/0/segments", http.StatusOK)

	// The chain moves to epoch 1: still private for the grace.
	for h := int64(101); h <= 150; h++ {
		e.chain.Append(blockHash(h))
	}
	e.svc.epochs.observe(e.deps.Epochs.Epoch(e.chain.Height()), e.clock.Now())
	e.clock.Advance(cfg.SegmentPublicGrace - time.Second)
	check("epoch ended, within the grace")

	e.clock.Advance(time.Second)
	if code, body := get(nil); code != http.StatusOK {
		t.Fatalf("after the grace, anonymous: got %d %q, want 200", code, body)
	}
}
