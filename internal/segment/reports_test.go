package segment

import (
	"crypto/sha256"
	"errors"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

var kinds = kind.NewRegistry(coverage.Kind{})

// record is a log record of a heartbeat by key, signed by signer.
func record(t *testing.T, key, signer sig.PrivateKey, nonce uint64, epoch uint64) []byte {
	t.Helper()
	body, _ := proto.Marshal(&coveragev1.Heartbeat{Cell: 0x8c3933676d081ff, Uptime: nonce})
	raw, err := proto.Marshal(&reportv1.Report{
		PubKey: sig.PublicOf(key), Nonce: nonce, Timestamp: 1, Kind: coverage.Name, Type: coverage.TypeHeartbeat, Body: body,
		Entropy: &reportv1.BlockRef{Height: 1, Hash: make([]byte, 32)},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := proto.Marshal(&ingestv1.LogRecord{Report: &reportv1.SignedReport{Report: raw, Signature: sig.Sign(signer, Domain, raw)}, Received: 5, Epoch: epoch})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestReportsSkipForgedAndMalformed(t *testing.T) {
	dev := sig.KeyFromSeed([]byte("device-0000000000000000000000000"))
	other := sig.KeyFromSeed([]byte("attacker-00000000000000000000000"))
	seg := &ingestv1.Segment{Epoch: 3, Records: [][]byte{
		record(t, dev, dev, 1, 3),     // valid
		record(t, dev, other, 2, 3),   // forged: signed by another key
		{0xff, 0x01},                  // does not decode
		record(t, dev, dev, 3, 4),     // another epoch
		record(t, other, other, 1, 3), // valid, another device
	}}
	var r Reports
	r.Add(kinds, seg)
	if len(r.List) != 2 || r.Forged != 1 || r.Malformed != 2 {
		t.Fatalf("got %d reports, %d forged, %d malformed; want 2, 1, 2", len(r.List), r.Forged, r.Malformed)
	}
	if r.List[0].Device != ledger.AddressOf(sig.PublicOf(dev)) || r.List[1].Device != ledger.AddressOf(sig.PublicOf(other)) {
		t.Errorf("got devices %s, %s; want the two honest reports in order", r.List[0].Device, r.List[1].Device)
	}
	if got := r.Of(coverage.Name); len(got) != 2 || got[0].Type != coverage.TypeHeartbeat {
		t.Errorf("Of(coverage): got %+v", got)
	}
	if h := r.EntropyHeights(); len(h) != 1 || h[0] != 1 {
		t.Errorf("entropy heights: got %v, want [1]", h)
	}
}

func TestVerify(t *testing.T) {
	dev := sig.KeyFromSeed([]byte("device-0000000000000000000000000"))
	seg := &ingestv1.Segment{Epoch: 3, Records: [][]byte{record(t, dev, dev, 1, 3)}}
	raw, err := Encode(seg)
	if err != nil {
		t.Fatal(err)
	}
	ref := Ref{Hash: sha256.Sum256(raw), MerkleRoot: Root(seg), Count: 1}
	if _, err := Verify(raw, ref, 3); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	for name, c := range map[string]struct {
		ref   Ref
		epoch uint64
	}{
		"other epoch": {ref, 4},
		"count":       {Ref{Hash: ref.Hash, MerkleRoot: ref.MerkleRoot, Count: 2}, 3},
		"root":        {Ref{Hash: ref.Hash, Count: 1}, 3},
		"hash":        {Ref{MerkleRoot: ref.MerkleRoot, Count: 1}, 3},
	} {
		_, err := Verify(raw, c.ref, c.epoch)
		var le *ledger.Error
		if !errors.As(err, &le) || le.Code != CodeMismatch {
			t.Errorf("%s: got %v, want CodeMismatch", name, err)
		}
	}
}

// TestReportsCollecting hands the reports of a kind that collects to its
// collector instead of the list, with the same counts and entropy heights.
func TestReportsCollecting(t *testing.T) {
	dev := sig.KeyFromSeed([]byte("device-0000000000000000000000000"))
	other := sig.KeyFromSeed([]byte("attacker-00000000000000000000000"))
	seg := &ingestv1.Segment{Epoch: 3, Records: [][]byte{
		record(t, dev, dev, 1, 3),
		record(t, dev, other, 2, 3),
		{0xff, 0x01},
		record(t, dev, dev, 3, 4),
		record(t, other, other, 1, 3),
	}}
	r := Collecting()
	r.Add(kinds, seg)
	if len(r.List) != 0 || r.Forged != 1 || r.Malformed != 2 {
		t.Fatalf("got %d listed, %d forged, %d malformed; want 0, 1, 2", len(r.List), r.Forged, r.Malformed)
	}
	if r.Collected(coverage.Name) == nil {
		t.Fatal("coverage reports were not collected")
	}
	if r.Collected("sensor") != nil {
		t.Error("a kind with no reports has a collector")
	}
	if got := r.Of(coverage.Name); len(got) != 0 {
		t.Errorf("Of(coverage): got %d reports, want none listed", len(got))
	}
	if h := r.EntropyHeights(); len(h) != 1 || h[0] != 1 {
		t.Errorf("entropy heights: got %v, want [1]", h)
	}
	var plain Reports
	plain.Add(kinds, seg)
	if len(plain.List) != 2 || plain.Collected(coverage.Name) != nil {
		t.Errorf("zero Reports: got %d listed and a collector %v; want 2 and none", len(plain.List), plain.Collected(coverage.Name))
	}
}

func TestEntropyHeightsOfCollected(t *testing.T) {
	var r Reports
	want := []uint64{}
	for i := range 1000 {
		h := uint64(i*7919%300) + 1
		r.addHeight(h)
		want = append(want, h)
	}
	r.List = append(r.List, KindReport{Report: kind.Report{EntropyHeight: 5000}})
	want = append(want, 5000)
	slices.Sort(want)
	want = slices.Compact(want)
	if got := r.EntropyHeights(); !slices.Equal(got, want) {
		t.Errorf("got %d heights, want %d: %v", len(got), len(want), got)
	}
}

// TestReportsAcrossBatches: a segment longer than a verification batch
// keeps every honest report in order and drops each forged one, whichever
// batch it falls in (its first or last record, or a batch of forgeries
// only).
func TestReportsAcrossBatches(t *testing.T) {
	dev := sig.KeyFromSeed([]byte("device-0000000000000000000000000"))
	other := sig.KeyFromSeed([]byte("attacker-00000000000000000000000"))
	n := 2*verifyBatch + 3
	forged := map[int]bool{0: true, verifyBatch - 1: true, verifyBatch: true, n - 1: true}
	for i := 2 * verifyBatch; i < n; i++ {
		forged[i] = true
	}
	seg := &ingestv1.Segment{Epoch: 3}
	var want []uint64
	for i := range n {
		signer := dev
		if forged[i] {
			signer = other
		} else {
			want = append(want, uint64(i+1))
		}
		seg.Records = append(seg.Records, record(t, dev, signer, uint64(i+1), 3))
	}
	var r Reports
	r.Add(kinds, seg)
	if r.Forged != uint64(len(forged)) || r.Malformed != 0 {
		t.Fatalf("got %d forged, %d malformed; want %d, 0", r.Forged, r.Malformed, len(forged))
	}
	var got []uint64
	for _, k := range r.List {
		var hb coveragev1.Heartbeat
		if err := proto.Unmarshal(k.Body, &hb); err != nil {
			t.Fatal(err)
		}
		got = append(got, hb.GetUptime())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %d reports, want %d in order", len(got), len(want))
	}
}
