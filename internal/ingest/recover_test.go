package ingest

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

func readSegment(t *testing.T, e *env, hash string) *ingestv1.Segment {
	t.Helper()
	path, ok := e.svc.store.path(hash)
	if !ok {
		t.Fatalf("no segment %s", hash)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := segment.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return seg
}

// TestRecoverRefusesResetLog: a marks snapshot beyond the end of the log
// means the log was replaced; starting would forget what it held.
func TestRecoverRefusesResetLog(t *testing.T) {
	cfg := testConfig(t)
	if err := durable.WriteFile(filepath.Join(cfg.DataDir, marksFile), encodeMarks(100, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := NewMemRegistry()
	_, err := New(cfg, Deps{Registry: reg, Kinds: testKinds, Entropy: testChain(100), Epochs: FixedEpochs{Length: 1000}}, nil)
	if err == nil || !strings.Contains(err.Error(), "reset") {
		t.Fatalf("got %v, want an error saying the log was reset", err)
	}
}

func TestVerifyParts(t *testing.T) {
	tests := []struct{ n, busy, procs, want int }{
		{1024, 0, 2, 2},
		{1024, 1, 2, 1},
		{1024, 3, 2, 1},
		{1024, 0, 8, 4},
		{300, 0, 8, 1},
		{512, 0, 8, 2},
		{0, 0, 2, 1},
		{4096, 2, 8, 6},
	}
	for _, tc := range tests {
		if got := verifyParts(tc.n, tc.busy, tc.procs); got != tc.want {
			t.Errorf("verifyParts(%d, %d, %d): got %d, want %d", tc.n, tc.busy, tc.procs, got, tc.want)
		}
	}
}

// TestVerifySplitBatch verifies a batch split across four parts, with bad
// signatures in every part, and checks each report's outcome against
// internal/sig and, once prepared, its record against proto.Marshal.
func TestVerifySplitBatch(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	if got := verifyParts(1100, 0, runtime.GOMAXPROCS(0)); got != 4 {
		t.Fatalf("got %d parts, want 4", got)
	}
	f := newFleet(50)
	e := newEnv(t, testConfig(t), f)
	ent := ref(e.chain)
	items := make([]item, 1100)
	for i := range items {
		sr := f.heartbeat(i%50, ent)
		if i%97 == 5 {
			sr.Signature[7] ^= 1
		}
		items[i].signed, items[i].msg = sr, -1
		items[i].rep, items[i].rej = decode(testKinds, sr, 2048)
		if items[i].rej != nil {
			t.Fatal(items[i].rej.msg)
		}
	}
	items[3].rej = reject(ingestv1.Status_STATUS_MALFORMED, "left out") // not verified
	e.svc.verify(items)
	e.svc.prepare(items, 42, 100, 7)
	for i := range items {
		it := &items[i]
		if i == 3 {
			if it.rej.msg != "left out" || it.record != nil {
				t.Fatalf("item 3: a rejected item was verified")
			}
			continue
		}
		wantOK := sig.Verify(it.rep.GetPubKey(), Domain, it.signed.GetReport(), it.signed.GetSignature())
		if gotOK := it.rej == nil; gotOK != wantOK {
			t.Fatalf("item %d: got valid %v, want %v", i, gotOK, wantOK)
		}
		if !wantOK {
			if it.rej.status != ingestv1.Status_STATUS_BAD_SIGNATURE || it.record != nil {
				t.Fatalf("item %d: got %v with a record, want bad signature and none", i, it.rej.status)
			}
			continue
		}
		want, _ := proto.Marshal(&ingestv1.LogRecord{Report: it.signed, Received: 42, Height: 100, Epoch: 7})
		if !bytes.Equal(it.record, want) || it.leaf != merkle.LeafHash(want) || it.digest != sha256.Sum256(it.signed.GetReport()) || !bytes.Equal(it.pub[:], it.rep.GetPubKey()) {
			t.Fatalf("item %d: prepared record, leaf, digest or key differ from the report's", i)
		}
	}
}

// slowRegistry is a registry whose every lookup takes a minute of the
// injected clock, as a lookup that waits for chain state can.
type slowRegistry struct {
	*MemRegistry
	clock *clock
}

func (r slowRegistry) Device(pub []byte) (DeviceInfo, bool) {
	r.clock.Advance(time.Minute)
	return r.MemRegistry.Device(pub)
}

// TestReceivedAfterChecks: a record's receive time is taken after the
// registry and entropy checks, when it is about to be appended. The batcher
// cuts a segment once its first record is Config.SegmentMaxAge old; a time
// taken before slow checks would make every record look old on arrival and
// cut a segment per batch.
func TestReceivedAfterChecks(t *testing.T) {
	f := newFleet(1)
	e := newEnv(t, testConfig(t), f)
	e.svc.deps.Registry = slowRegistry{MemRegistry: e.reg, clock: e.clock}
	start := e.clock.Now()
	if res := submitOne(t, e, f.heartbeat(0, ref(e.chain))); res.Status != ingestv1.Status_STATUS_ACCEPTED {
		t.Fatalf("got %v %q, want accepted", res.Status, res.Message)
	}
	var rec ingestv1.LogRecord
	if err := proto.Unmarshal(logRecords(t, e.svc)[0].entry.record, &rec); err != nil {
		t.Fatal(err)
	}
	if want := start.Add(time.Minute).UnixNano(); rec.GetReceived() != want {
		t.Errorf("got received %d, want %d (the clock after the registry lookup)", rec.GetReceived(), want)
	}
}
