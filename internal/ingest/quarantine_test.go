package ingest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// poisonMessages are log messages ingest never writes: garbage, a batch
// whose record is not a log record, and a well-formed batch whose entry
// claims a nonce its (unsigned, forged) record does not carry, which would
// lock the device out if the high-water marks believed it.
func poisonMessages(t *testing.T, f *fleet, ent *reportv1.BlockRef) [][]byte {
	t.Helper()
	pub := [32]byte(f.pub(1))
	junkDigest := sha256.Sum256([]byte("junk"))
	forged, err := proto.Marshal(&reportv1.Report{PubKey: f.pub(1), Nonce: 7, Timestamp: testTS, Entropy: ent,
		Kind: "coverage", Type: "heartbeat", Body: mustBody(&coveragev1.Heartbeat{Cell: 1})})
	if err != nil {
		t.Fatal(err)
	}
	forgedDigest := sha256.Sum256(forged)
	rec := appendLogRecord(nil, forged, make([]byte, 64), 5, ent.GetHeight(), 0)
	return [][]byte{
		{0xde, 0xad, 0xbe, 0xef}, // the 4 bytes that halted the devnet
		appendBatchEntry(appendBatchHeader(nil, 0, 5), &pub, &junkDigest, 1, []byte("junk")),
		appendBatchEntry(appendBatchHeader(nil, 0, 5), &pub, &forgedDigest, 1<<60, rec),
	}
}

// TestPoisonMessageQuarantined is issue 8 item 2's regression test for
// ingest, on the embedded NATS log and on the in-memory one: poison
// messages between good ones are counted, skipped, and in no segment; the
// batcher goes on cutting the good reports; a restart recovers past them and
// their claimed nonces do not count.
func TestPoisonMessageQuarantined(t *testing.T) {
	for _, name := range []string{"nats", "mem"} {
		t.Run(name, func(t *testing.T) {
			f := newFleet(2)
			cfg := testConfig(t)
			cfg.SegmentMaxAge = 20 * time.Millisecond
			e := &env{cfg: cfg, reg: NewMemRegistry(), chain: testChain(100), committer: &RecordingCommitter{}, clock: newClock()}
			f.register(e.reg)
			e.deps = Deps{Registry: e.reg, Kinds: testKinds, Entropy: e.chain, Epochs: FixedEpochs{Length: 1000}, Committer: e.committer, Now: time.Now}
			if name == "mem" {
				e.deps.Log = NewMemLog(0)
			}
			e.start(t)
			ent := ref(e.chain)
			inject := func(data []byte) {
				t.Helper()
				a, err := e.svc.log.Append(data)
				if err == nil {
					_, err = a.Wait(context.Background())
				}
				if err != nil {
					t.Fatalf("inject poison: %v", err)
				}
			}
			good := []*reportv1.SignedReport{f.heartbeat(0, ent)}
			if res := submitOne(t, e, good[0]); res.Status != ingestv1.Status_STATUS_ACCEPTED {
				t.Fatalf("good report: got %v %q", res.Status, res.Message)
			}
			poison := poisonMessages(t, f, ent)
			for _, p := range poison {
				inject(p)
			}
			good = append(good, f.heartbeat(1, ent))
			if res := submitOne(t, e, good[1]); res.Status != ingestv1.Status_STATUS_ACCEPTED {
				t.Fatalf("good report after the poison: got %v %q", res.Status, res.Message)
			}

			stop := e.run(t)
			waitRecords(t, e, 2)
			stop()
			if got := e.svc.Quarantined(); got != uint64(len(poison)) {
				t.Errorf("quarantined %d messages, want %d", got, len(poison))
			}
			checkSegmentsHold(t, e, good)

			// A restart recovers the marks past the poison, and the forged
			// nonce 1<<60 of device 1 does not count.
			if err := e.svc.Close(); err != nil {
				t.Fatal(err)
			}
			e.start(t)
			if d := e.svc.devices[[32]byte(f.pub(1))]; d == nil || d.nonce != 1 {
				t.Fatalf("device 1 after restart: got mark %+v, want nonce 1", d)
			}
			if e.svc.Quarantined() == 0 {
				t.Errorf("recovery read the poison without quarantining it")
			}
			next := f.heartbeat(1, ent)
			if res := submitOne(t, e, next); res.Status != ingestv1.Status_STATUS_ACCEPTED {
				t.Fatalf("device 1 after restart: got %v %q, want accepted", res.Status, res.Message)
			}
			stop = e.run(t)
			waitRecords(t, e, 3)
			stop()
			checkSegmentsHold(t, e, append(good, next))
		})
	}
}

// waitRecords waits until the stored segments hold n records.
func waitRecords(t *testing.T, e *env, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := 0
		for _, s := range e.svc.store.all() {
			got += int(s.Count)
		}
		if got == n {
			return
		}
		if got > n || time.Now().After(deadline) {
			t.Fatalf("segments hold %d records, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkSegmentsHold checks that the segments hold exactly the given
// reports, in order.
func checkSegmentsHold(t *testing.T, e *env, want []*reportv1.SignedReport) {
	t.Helper()
	var got []*ingestv1.LogRecord
	for _, s := range e.svc.store.all() {
		for _, raw := range readSegment(t, e, s.Hash).GetRecords() {
			var rec ingestv1.LogRecord
			if err := proto.Unmarshal(raw, &rec); err != nil {
				t.Fatalf("segment %s holds a record that does not decode: %v", s.Hash, err)
			}
			got = append(got, &rec)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("segments hold %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !proto.Equal(got[i].GetReport(), want[i]) {
			t.Errorf("segment record %d is not accepted report %d", i, i)
		}
	}
}
