package ingest

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/merkle"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

func TestSubmitRejections(t *testing.T) {
	f := newFleet(4)
	cfg := testConfig(t)
	cfg.Burst = 3
	cfg.EntropyWindow = 10
	e := newEnv(t, cfg, f)
	e.reg.Put(f.pub(3), DeviceInfo{Decommissioned: true})
	stranger := newFleet(5) // device 4 of this fleet is not registered
	ctx := context.Background()
	good := func(i int) *reportv1.Report {
		f.nonces[i]++
		return &reportv1.Report{
			PubKey: f.pub(i), Nonce: f.nonces[i], Timestamp: testTS, Entropy: ref(e.chain),
			Kind: "coverage", Type: "heartbeat", Body: mustBody(&coveragev1.Heartbeat{Cell: 1, Uptime: 1}),
		}
	}
	signed := func(i int, mut func(*reportv1.Report)) *reportv1.SignedReport {
		r := good(i)
		if mut != nil {
			mut(r)
		}
		return signRep(f.keys[i], r)
	}
	first, accepted := signed(0, nil), signed(0, nil) // nonces 1 and 2
	for _, r := range []*reportv1.SignedReport{first, accepted} {
		if res := submitOne(t, e, r); res.Status != ingestv1.Status_STATUS_ACCEPTED {
			t.Fatalf("good report: got %v %q, want accepted", res.Status, res.Message)
		}
	}
	badSig := signed(1, nil)
	badSig.Signature[0] ^= 1
	witness := func(w *coveragev1.Witness) func(*reportv1.Report) {
		return func(r *reportv1.Report) { setBody(r, "witness", w) }
	}
	okWitness := func() *coveragev1.Witness {
		return &coveragev1.Witness{Beaconer: f.pub(2), Payload: []byte{1}, Frequency: 868_100_000, Signal: -1000, Snr: 55, BeaconEntropy: ref(e.chain)}
	}
	selfWitness := okWitness()
	selfWitness.Beaconer = f.pub(1)

	tests := []struct {
		name string
		rep  *reportv1.SignedReport
		want ingestv1.Status
		msg  string
	}{
		{"nil report", nil, ingestv1.Status_STATUS_MALFORMED, "empty"},
		{"too large", &reportv1.SignedReport{Report: make([]byte, 3000), Signature: make([]byte, 64)}, ingestv1.Status_STATUS_TOO_LARGE, "limit"},
		{"garbage bytes", &reportv1.SignedReport{Report: []byte{0xff, 0xff, 0xff}, Signature: make([]byte, 64)}, ingestv1.Status_STATUS_MALFORMED, "decode"},
		{"short signature", &reportv1.SignedReport{Report: accepted.Report, Signature: make([]byte, 10)}, ingestv1.Status_STATUS_MALFORMED, "signature"},
		{"short pub key", signed(1, func(r *reportv1.Report) { r.PubKey = r.PubKey[:31] }), ingestv1.Status_STATUS_MALFORMED, "pub_key"},
		{"zero nonce", signed(1, func(r *reportv1.Report) { r.Nonce = 0 }), ingestv1.Status_STATUS_MALFORMED, "nonce"},
		{"no timestamp", signed(1, func(r *reportv1.Report) { r.Timestamp = 0 }), ingestv1.Status_STATUS_MALFORMED, "timestamp"},
		{"no entropy", signed(1, func(r *reportv1.Report) { r.Entropy = nil }), ingestv1.Status_STATUS_MALFORMED, "entropy"},
		{"short entropy hash", signed(1, func(r *reportv1.Report) { r.Entropy.Hash = r.Entropy.Hash[:8] }), ingestv1.Status_STATUS_MALFORMED, "hash"},
		{"no kind", signed(1, func(r *reportv1.Report) { r.Kind = "" }), ingestv1.Status_STATUS_MALFORMED, "no kind"},
		{"unknown kind", signed(1, func(r *reportv1.Report) { r.Kind = "weather" }), ingestv1.Status_STATUS_MALFORMED, "unknown kind"},
		{"unknown type", signed(1, func(r *reportv1.Report) { r.Type = "reading" }), ingestv1.Status_STATUS_MALFORMED, "no report type"},
		{"body does not decode", signed(1, func(r *reportv1.Report) { r.Body = []byte{0xff} }), ingestv1.Status_STATUS_MALFORMED, "does not decode"},
		{"heartbeat without cell", signed(1, func(r *reportv1.Report) { setBody(r, "heartbeat", &coveragev1.Heartbeat{Uptime: 1}) }), ingestv1.Status_STATUS_MALFORMED, "cell"},
		{"beacon bad local entropy", signed(1, func(r *reportv1.Report) {
			setBody(r, "beacon", &coveragev1.Beacon{LocalEntropy: []byte{1}, Payload: []byte{1}, Frequency: 1, Region: "EU868"})
		}), ingestv1.Status_STATUS_MALFORMED, "local_entropy"},
		{"beacon no region", signed(1, func(r *reportv1.Report) {
			setBody(r, "beacon", &coveragev1.Beacon{LocalEntropy: []byte{1, 2, 3, 4}, Payload: []byte{1}, Frequency: 1})
		}), ingestv1.Status_STATUS_MALFORMED, "region"},
		{"witness of itself", signed(1, witness(selfWitness)), ingestv1.Status_STATUS_MALFORMED, "own beacon"},
		{"witness no beacon entropy", signed(1, witness(&coveragev1.Witness{Beaconer: f.pub(2), Payload: []byte{1}, Frequency: 1})), ingestv1.Status_STATUS_MALFORMED, "beacon_entropy"},
		{"bad signature", badSig, ingestv1.Status_STATUS_BAD_SIGNATURE, "does not verify"},
		{"signed by another key", signRep(f.keys[2], good(1)), ingestv1.Status_STATUS_BAD_SIGNATURE, "does not verify"},
		{"unknown device", signRep(stranger.keys[4], &reportv1.Report{PubKey: stranger.pub(4), Nonce: 1, Timestamp: testTS, Entropy: ref(e.chain),
			Kind: "coverage", Type: "heartbeat", Body: mustBody(&coveragev1.Heartbeat{Cell: 1})}), ingestv1.Status_STATUS_UNKNOWN_DEVICE, "no device"},
		{"decommissioned", signed(3, nil), ingestv1.Status_STATUS_DECOMMISSIONED, "decommissioned"},
		{"stale entropy", signed(1, func(r *reportv1.Report) { r.Entropy = &reportv1.BlockRef{Height: 89, Hash: blockHash(89)} }), ingestv1.Status_STATUS_STALE_ENTROPY, "behind"},
		{"future entropy", signed(1, func(r *reportv1.Report) { r.Entropy = &reportv1.BlockRef{Height: 101, Hash: blockHash(101)} }), ingestv1.Status_STATUS_UNKNOWN_ENTROPY, "above"},
		{"wrong entropy hash", signed(1, func(r *reportv1.Report) { r.Entropy = &reportv1.BlockRef{Height: 95, Hash: blockHash(94)} }), ingestv1.Status_STATUS_UNKNOWN_ENTROPY, "not the hash"},
		{"timestamp too old", signed(1, func(r *reportv1.Report) { r.Timestamp = testTS - int64(11*time.Minute) }), ingestv1.Status_STATUS_BAD_TIMESTAMP, "from ingest's clock"},
		{"timestamp in the future", signed(1, func(r *reportv1.Report) { r.Timestamp = testTS + int64(11*time.Minute) }), ingestv1.Status_STATUS_BAD_TIMESTAMP, "from ingest's clock"},
		{"undecodable report", &reportv1.SignedReport{Report: []byte{0x0a, 0xff}, Signature: make([]byte, 64)}, ingestv1.Status_STATUS_MALFORMED, "do not decode as a depin report"},
		{"duplicate", accepted, ingestv1.Status_STATUS_DUPLICATE, "accepted before"},
		{"same nonce, other report", signed(0, func(r *reportv1.Report) { r.Nonce = 2; r.Timestamp = testTS + 1 }), ingestv1.Status_STATUS_REPLAY, "not above"},
		{"earlier report again", first, ingestv1.Status_STATUS_REPLAY, "not above"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := lastSeq(t, e)
			res := submitOne(t, e, tc.rep)
			if res.Status != tc.want {
				t.Fatalf("got %v %q, want %v", res.Status, res.Message, tc.want)
			}
			if !strings.Contains(res.Message, tc.msg) {
				t.Errorf("got message %q, want it to contain %q", res.Message, tc.msg)
			}
			if after := lastSeq(t, e); after != before {
				t.Errorf("got log at %d after a rejection, want it unchanged at %d", after, before)
			}
		})
	}
	if res := submitOne(t, e, accepted); len(res.Hash) != 32 {
		t.Errorf("duplicate: got hash of %d bytes, want the accepted report's 32", len(res.Hash))
	}

	t.Run("batch too large", func(t *testing.T) {
		reps := make([]*reportv1.SignedReport, cfg.MaxBatch+1)
		if _, err := e.svc.Submit(ctx, reps); !errors.Is(err, ErrBatchTooLarge) {
			t.Fatalf("got %v, want ErrBatchTooLarge", err)
		}
	})

	t.Run("rate limited", func(t *testing.T) {
		// Device 2 has a burst of 3; the clock does not move.
		var got []ingestv1.Status
		for range 4 {
			got = append(got, submitOne(t, e, signed(2, nil)).Status)
		}
		want := []ingestv1.Status{1, 1, 1, ingestv1.Status_STATUS_RATE_LIMITED}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("got %v, want %v", got, want)
			}
		}
		e.clock.Advance(time.Second) // rate 1/s refills one report
		if st := submitOne(t, e, signed(2, nil)).Status; st != ingestv1.Status_STATUS_ACCEPTED {
			t.Fatalf("after refill: got %v, want accepted", st)
		}
		if st := submitOne(t, e, signed(2, nil)).Status; st != ingestv1.Status_STATUS_RATE_LIMITED {
			t.Fatalf("after one refill used: got %v, want rate limited", st)
		}
	})

	t.Run("unavailable", func(t *testing.T) {
		e.svc.log.(*natsLog).nc.Close()
		res := submitOne(t, e, signed(1, nil))
		if res.Status != ingestv1.Status_STATUS_UNAVAILABLE {
			t.Fatalf("got %v %q, want unavailable", res.Status, res.Message)
		}
	})
}

func submitOne(t *testing.T, e *env, r *reportv1.SignedReport) *ingestv1.ReportResult {
	t.Helper()
	res, err := e.svc.Submit(context.Background(), []*reportv1.SignedReport{r})
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if len(res) != 1 {
		t.Fatalf("got %d results, want 1", len(res))
	}
	return res[0]
}

func lastSeq(t *testing.T, e *env) uint64 {
	t.Helper()
	_, n, err := e.svc.log.Bounds(context.Background())
	if err != nil {
		t.Fatalf("lastSeq: %v", err)
	}
	return n
}

func TestSubmitMixedBatchKeepsOrder(t *testing.T) {
	f := newFleet(3)
	e := newEnv(t, testConfig(t), f)
	ent := ref(e.chain)
	bad := f.heartbeat(1, ent)
	bad.Signature[5] ^= 0x40
	batch := []*reportv1.SignedReport{f.heartbeat(0, ent), bad, f.heartbeat(2, ent), f.heartbeat(0, ent)}
	res, err := e.svc.Submit(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []ingestv1.Status{ingestv1.Status_STATUS_ACCEPTED, ingestv1.Status_STATUS_BAD_SIGNATURE, ingestv1.Status_STATUS_ACCEPTED, ingestv1.Status_STATUS_ACCEPTED}
	for i, w := range want {
		if res[i].Status != w {
			t.Errorf("report %d: got %v %q, want %v", i, res[i].Status, res[i].Message, w)
		}
	}
	recs := logRecords(t, e.svc)
	if len(recs) != 3 {
		t.Fatalf("got %d records in the log, want 3", len(recs))
	}
	if recs[0].seq != recs[2].seq {
		t.Errorf("got records in messages %d..%d, want one message for the batch", recs[0].seq, recs[2].seq)
	}
	for i, j := range []int{0, 2, 3} { // the accepted reports, in log order
		r, raw := res[j], recs[i].entry.record
		rec := &ingestv1.LogRecord{}
		if err := proto.Unmarshal(raw, rec); err != nil {
			t.Fatal(err)
		}
		if h := merkle.LeafHash(raw); string(h[:]) != string(r.Hash) {
			t.Errorf("report %d: got hash %x, want leaf hash of the log record %x", j, r.Hash, h)
		}
		if !proto.Equal(rec.Report, batch[j]) {
			t.Errorf("report %d: log holds another report", j)
		}
		want, _ := proto.Marshal(rec)
		if string(want) != string(raw) {
			t.Errorf("report %d: record is not in proto.Marshal's encoding", j)
		}
		var rep reportv1.Report
		if err := proto.Unmarshal(batch[j].GetReport(), &rep); err != nil {
			t.Fatal(err)
		}
		e := recs[i].entry
		if string(e.pub[:]) != string(rep.GetPubKey()) || e.nonce != rep.GetNonce() || e.digest != sha256.Sum256(batch[j].GetReport()) {
			t.Errorf("report %d: got entry key %x nonce %d digest %x, want the report's %x %d %x",
				j, e.pub, e.nonce, e.digest, rep.GetPubKey(), rep.GetNonce(), sha256.Sum256(batch[j].GetReport()))
		}
	}
}
