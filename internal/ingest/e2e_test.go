package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}, Timeout: 30 * time.Second}
}

// TestEndToEnd sends reports over HTTP/1.1 with JSON and over the gRPC
// protocol on h2c, then follows them into a committed, served segment.
func TestEndToEnd(t *testing.T) {
	f := newFleet(8)
	cfg := testConfig(t)
	cfg.SegmentMaxAge = 50 * time.Millisecond
	e := newEnv(t, cfg, f)
	e.deps.Now = time.Now // segment ages need a moving clock
	e.svc.deps.Now, e.svc.batcher.now = time.Now, time.Now
	stop := e.run(t)
	defer stop()
	base := "http://" + e.svc.Addr()
	ctx := context.Background()

	clients := map[string]ingestv1connect.IngestServiceClient{
		"http1-json": ingestv1connect.NewIngestServiceClient(&http.Client{Timeout: 30 * time.Second}, base, connect.WithProtoJSON()),
		"grpc-h2c":   ingestv1connect.NewIngestServiceClient(h2cClient(), base, connect.WithGRPC()),
	}
	accepted := map[string]bool{} // leaf hash hex
	for _, name := range []string{"http1-json", "grpc-h2c"} {
		c := clients[name]
		ent, err := c.GetEntropy(ctx, connect.NewRequest(&ingestv1.GetEntropyRequest{}))
		if err != nil {
			t.Fatalf("%s: GetEntropy: %v", name, err)
		}
		if ent.Msg.GetEntropy().GetHeight() != 100 || ent.Msg.GetWindow() != cfg.EntropyWindow {
			t.Fatalf("%s: got entropy %v window %d, want height 100 window %d", name, ent.Msg.GetEntropy(), ent.Msg.GetWindow(), cfg.EntropyWindow)
		}
		var batch []*reportv1.SignedReport
		for i := range 8 {
			batch = append(batch, f.heartbeat(i, ent.Msg.GetEntropy()))
		}
		bad := f.heartbeat(0, ent.Msg.GetEntropy())
		bad.Signature[0] ^= 1
		batch = append(batch, bad)
		res, err := c.SubmitBatch(ctx, connect.NewRequest(&ingestv1.SubmitBatchRequest{Reports: batch}))
		if err != nil {
			t.Fatalf("%s: SubmitBatch: %v", name, err)
		}
		if got := len(res.Msg.GetResults()); got != 9 {
			t.Fatalf("%s: got %d results, want 9", name, got)
		}
		for i, r := range res.Msg.GetResults() {
			want := ingestv1.Status_STATUS_ACCEPTED
			if i == 8 {
				want = ingestv1.Status_STATUS_BAD_SIGNATURE
			}
			if r.GetStatus() != want {
				t.Errorf("%s: report %d: got %v %q, want %v", name, i, r.GetStatus(), r.GetMessage(), want)
			}
			if want == ingestv1.Status_STATUS_ACCEPTED {
				accepted[hex.EncodeToString(r.GetHash())] = true
			}
		}
		over := make([]*reportv1.SignedReport, cfg.MaxBatch+1)
		for i := range over {
			over[i] = batch[0]
		}
		_, err = c.SubmitBatch(ctx, connect.NewRequest(&ingestv1.SubmitBatchRequest{Reports: over}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Errorf("%s: oversized batch: got %v, want invalid_argument", name, err)
		}
	}

	segs := waitSegments(t, base, 0, 16)
	calls := e.committer.Calls()
	if len(calls) != len(segs) {
		t.Fatalf("got %d commitments, want one per segment (%d)", len(calls), len(segs))
	}
	found := 0
	for i, s := range segs {
		body := oracleGet(t, base+"/v1/segments/"+s.Hash, http.StatusOK) // the epoch is running
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != s.Hash {
			t.Fatalf("segment %d: got file hash %x, want %s", i, sum, s.Hash)
		}
		seg, err := segment.Decode(body)
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		root := segment.Root(seg)
		if hex.EncodeToString(root[:]) != s.MerkleRoot || calls[i].MerkleRoot != root || calls[i].Hash != sum || calls[i].Count != s.Count {
			t.Errorf("segment %d: listing, file and commitment disagree: root %x listed %s committed %x", i, root, s.MerkleRoot, calls[i].MerkleRoot)
		}
		for _, r := range seg.GetRecords() {
			h := merkle.LeafHash(r)
			if accepted[hex.EncodeToString(h[:])] {
				found++
			}
		}
	}
	if found != len(accepted) {
		t.Errorf("got %d of %d accepted reports in segments", found, len(accepted))
	}
	httpGet(t, base+"/v1/segments/"+hex.EncodeToString(make([]byte, 32)), http.StatusNotFound)
	httpGet(t, base+"/v1/segments/xyz", http.StatusBadRequest)
	httpGet(t, base+"/v1/epochs/x/segments", http.StatusBadRequest)
	if got := waitSegments(t, base, 7, 0); len(got) != 0 {
		t.Errorf("epoch 7: got %d segments, want 0", len(got))
	}
}

// waitSegments polls the epoch's listing until it holds want records (or,
// with want 0, returns it at once).
func waitSegments(t *testing.T, base string, epoch uint64, want uint64) []SegmentJSON {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var l SegmentListing
		if err := json.Unmarshal(httpGet(t, fmt.Sprintf("%s/v1/epochs/%d/segments", base, epoch), http.StatusOK), &l); err != nil {
			t.Fatal(err)
		}
		var n uint64
		committed := true
		for _, s := range l.Segments {
			n += s.Count
			committed = committed && s.Committed
		}
		if n >= want && committed {
			return l.Segments
		}
		if time.Now().After(deadline) {
			t.Fatalf("epoch %d: got %d records in segments after 20s, want %d", epoch, n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url string, want int) []byte {
	t.Helper()
	return getAs(t, url, want, nil)
}

// oracleGet is httpGet signed by testOracle, a registered oracle.
func oracleGet(t *testing.T, url string, want int) []byte {
	t.Helper()
	return getAs(t, url, want, testOracle)
}

// getAs GETs url, signed by key if it is not nil, and checks the status.
func getAs(t *testing.T, url string, want int, key sig.PrivateKey) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != nil {
		SignSegmentRequest(req, key, time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: got %d %s, want %d", url, resp.StatusCode, b, want)
	}
	return b
}

// TestRestartKeepsHighWaterMarks stops the service and starts it again on
// the same data: accepted nonces stay spent.
func TestRestartKeepsHighWaterMarks(t *testing.T) {
	f := newFleet(3)
	e := newEnv(t, testConfig(t), f)
	ent := ref(e.chain)
	var accepted []*reportv1.SignedReport
	for round := range 3 {
		for i := range 3 {
			r := f.heartbeat(i, ent)
			if res := submitOne(t, e, r); res.Status != ingestv1.Status_STATUS_ACCEPTED {
				t.Fatalf("round %d device %d: got %v, want accepted", round, i, res.Status)
			}
			accepted = append(accepted, r)
		}
	}
	if err := e.svc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	e.start(t)
	if got := len(e.svc.devices); got != 3 {
		t.Fatalf("got %d devices recovered, want 3", got)
	}
	for i, r := range accepted {
		want := ingestv1.Status_STATUS_REPLAY
		if i >= 6 { // the last report of each device
			want = ingestv1.Status_STATUS_DUPLICATE
		}
		if res := submitOne(t, e, r); res.Status != want {
			t.Errorf("report %d again after restart: got %v, want %v", i, res.Status, want)
		}
	}
	if got := len(logRecords(t, e.svc)); got != 9 {
		t.Errorf("got %d records, want 9 (no duplicates)", got)
	}
	if res := submitOne(t, e, f.heartbeat(1, ent)); res.Status != ingestv1.Status_STATUS_ACCEPTED {
		t.Errorf("next nonce after restart: got %v %q, want accepted", res.Status, res.Message)
	}
}
