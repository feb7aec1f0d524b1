package relay_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	arelay "github.com/depin-network/depin/agent/relay"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/relay"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

func testFile(n int) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{9}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestStreamAndClaim streams a file through a relay: every chunk is
// checked against the manifest, the relay holds one latest receipt and
// claims it on chain, and is paid exactly for the signed bytes; an
// inflating relay's doctored receipt is refused as forged.
func TestStreamAndClaim(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ch, err := clienttest.NewChain("depin-relay-test", clienttest.Genesis("authority", 1_000_000_000_000, "relay1", "alice"))
	if err != nil {
		t.Fatal(err)
	}
	node := httptest.NewServer(ch)
	defer node.Close()
	c, _ := client.New(node.URL)
	c.PollInterval = time.Millisecond
	send := func(label string, typ string, val []byte) error {
		_, err := c.SignAndSend(ctx, clienttest.Key(label), client.Tx{Fee: 1_000, Msgs: []*txv1.Msg{{Type: typ, Value: val}}})
		return err
	}
	file := testFile(5*arelay.DefaultChunk + 12345)
	src := httptest.NewServer(arelay.NewSource(map[string][]byte{"movie.bin": file}, arelay.DefaultChunk))
	defer src.Close()
	ra := clienttest.Addr("relay1")
	rl := &arelay.Relay{Source: src.URL, Addr: ra, ChainID: ch.ChainID()}
	rsrv := httptest.NewServer(rl.Handler())
	defer rsrv.Close()

	cp, _ := proto.Marshal(&marketv1.MsgCreateProvider{HostUri: rsrv.URL})
	if err := send("relay1", market.TypeCreateProvider, cp); err != nil {
		t.Fatal(err)
	}
	typ, val, _ := arelay.RegisterMsg(rsrv.URL)
	if err := send("relay1", typ, val); err != nil {
		t.Fatal(err)
	}
	const price = 2_000 // upin per MiB
	typ, val, _ = arelay.OpenMsg(ra, price, 100*price)
	if err := send("alice", typ, val); err != nil {
		t.Fatal(err)
	}

	m, err := arelay.GetManifest(ctx, nil, src.URL, "movie.bin")
	if err != nil {
		t.Fatal(err)
	}
	f := &arelay.Fetcher{Key: clienttest.Key("alice"), ChainID: ch.ChainID(), Relay: rsrv.URL, RelayAddr: ra}
	got, err := f.Fetch(ctx, rsrv.URL+"/relay/", m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, file) {
		t.Fatal("the file fetched through the relay differs")
	}
	latest := rl.Latest()
	if len(latest) != 1 {
		t.Fatalf("the relay holds %d receipts, want 1", len(latest))
	}
	// An inflating relay doubles the bytes of the receipt it holds.
	var rc relayv1.Receipt
	_ = proto.Unmarshal(latest[0].Receipt, &rc)
	rc.Bytes *= 2
	inflated := &relayv1.SignedReceipt{Receipt: ledger.Encode(&rc), PubKey: latest[0].PubKey, Signature: latest[0].Signature}
	typ, val, _ = arelay.ClaimMsg(inflated)
	var txErr *client.TxError
	if err := send("relay1", typ, val); err == nil {
		t.Fatal("an inflated receipt was paid")
	} else if !asTxError(err, &txErr) || txErr.Code != relay.CodeForgedReceipt {
		t.Fatalf("inflated receipt: got %v, want relay_forged_receipt", err)
	}
	typ, val, _ = arelay.ClaimMsg(latest[0])
	if err := send("relay1", typ, val); err != nil {
		t.Fatal(err)
	}
	if err := send("relay1", typ, val); err == nil {
		t.Fatal("a replayed receipt was paid")
	}
	var chv relay.ChannelView
	if err := c.Query(ctx, "relay/channels/"+clienttest.Addr("alice").String()+"/"+ra.String(), &chv); err != nil {
		t.Fatal(err)
	}
	want, _ := relay.Cost(uint64(len(file)), price)
	if chv.Bytes != uint64(len(file)) || chv.Paid != want {
		t.Errorf("channel: %d bytes, %d paid; want %d and %d", chv.Bytes, chv.Paid, len(file), want)
	}
}

func asTxError(err error, out **client.TxError) bool {
	e, ok := err.(*client.TxError)
	if ok {
		*out = e
	}
	return ok
}

// BenchmarkRelayThroughput downloads a 64 MiB file in 1 MiB ranges
// directly from the source and through a relay on loopback (the relay
// forwards each range and takes a signed receipt after each chunk), and
// reports the relay's throughput as a ratio of the direct one.
func BenchmarkRelayThroughput(b *testing.B) {
	file := testFile(64 << 20)
	src := httptest.NewServer(arelay.NewSource(map[string][]byte{"f": file}, arelay.DefaultChunk))
	defer src.Close()
	ra := clienttest.Addr("relay1")
	rl := &arelay.Relay{Source: src.URL, Addr: ra, ChainID: "bench"}
	rsrv := httptest.NewServer(rl.Handler())
	defer rsrv.Close()
	ctx := context.Background()
	m, err := arelay.GetManifest(ctx, nil, src.URL, "f")
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	var direct, relayed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		d := &arelay.Fetcher{HTTP: hc, Key: clienttest.Key("alice"), NoReceipts: true}
		if _, err := d.Fetch(ctx, src.URL+"/files/", m); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		f := &arelay.Fetcher{HTTP: hc, Key: clienttest.Key("alice"), ChainID: "bench", Relay: rsrv.URL, RelayAddr: ra, Signed: uint64(i) * uint64(len(file))}
		if _, err := f.Fetch(ctx, rsrv.URL+"/relay/", m); err != nil {
			b.Fatal(err)
		}
		direct += t1.Sub(t0)
		relayed += time.Since(t1)
	}
	mb := float64(len(file)) / (1 << 20) * float64(b.N)
	b.ReportMetric(mb/direct.Seconds(), "direct-MiB/s")
	b.ReportMetric(mb/relayed.Seconds(), "relay-MiB/s")
	b.ReportMetric(direct.Seconds()/relayed.Seconds(), "relay/direct")
}
