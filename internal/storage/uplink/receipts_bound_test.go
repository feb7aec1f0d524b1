package uplink

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/provider"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// submitCounter is the real in-memory chain, counting the
// market/submit-receipts transactions sent through it.
type submitCounter struct {
	*memChain
	n atomic.Int64
}

func (c *submitCounter) SignAndSend(ctx context.Context, priv sig.PrivateKey, tx client.Tx) (*client.TxResult, error) {
	for _, m := range tx.Msgs {
		if m.Type == market.TypeSubmitReceipts {
			c.n.Add(1)
			break
		}
	}
	return c.memChain.SignAndSend(ctx, priv, tx)
}

// TestProviderReceiptsBounded (review finding S3): a provider queues only
// receipts of an active lease of their payer with it, at most 64 per
// payer, and when the chain refuses a batch it bisects it with at most 8
// transactions a round, so bad receipts never hold its proofs up.
func TestProviderReceiptsBounded(t *testing.T) {
	c := &submitCounter{memChain: newMemChain(t, nil, "alice", "mallory", "prov0")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := provider.DefaultConfig()
	cfg.Dir, cfg.Listen = t.TempDir(), "127.0.0.1:0"
	p, err := provider.New(cfg, testKey("prov0"), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	send := func(name, typ string, m proto.Message) {
		t.Helper()
		v, _ := proto.Marshal(m)
		if _, err := c.SignAndSend(ctx, testKey(name), client.Tx{Fee: 1_000, Msgs: []*txv1.Msg{{Type: typ, Value: v}}}); err != nil {
			t.Fatalf("%s by %s: %v", typ, name, err)
		}
	}
	tick := func() int64 {
		t.Helper()
		before := c.n.Load()
		if err := p.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		return c.n.Load() - before
	}
	// alice's storage lease 1 with prov0 (the provider registers and bids
	// in its rounds).
	tick()
	send("alice", market.TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 10, Duration: 10_000, Deposit: 1_000_000})
	tick()
	prov := testAddr("prov0")
	send("alice", market.TypeAccept, &marketv1.MsgAccept{Order: 1, Provider: prov[:]})

	receipt := func(payer string, lease, nonce uint64) *marketv1.SignedReceipt {
		a := testAddr(payer)
		h := c.height()
		return market.SignReceipt(testKey(payer), &marketv1.Receipt{ChainId: memChainID, Payer: a[:], Provider: prov[:], Lease: lease,
			Kind: storage.Kind, PeriodStart: h, PeriodEnd: h, Units: 1, Credits: 1, Nonce: nonce})
	}
	post := func(sr *marketv1.SignedReceipt) int {
		b, _ := proto.Marshal(sr)
		w := httptest.NewRecorder()
		p.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/receipts", bytes.NewReader(b)))
		return w.Code
	}
	// Receipts signed by their payer but for no lease of theirs with prov0.
	for i := uint64(1); i <= 100; i++ {
		for _, lease := range []uint64{0, 1, 99} { // none, alice's, none
			if got := post(receipt("mallory", lease, i)); got != http.StatusBadRequest {
				t.Fatalf("mallory's receipt %d on lease %d: status %d, want 400", i, lease, got)
			}
		}
	}
	if n := tick(); n != 0 {
		t.Fatalf("refused receipts were sent: %d submit transactions", n)
	}
	// alice's: 64 queue, the 65th waits for the next round.
	for i := uint64(1); i <= 64; i++ {
		if got := post(receipt("alice", 1, i)); got != http.StatusAccepted {
			t.Fatalf("alice's receipt %d: status %d, want 202", i, got)
		}
	}
	if got := post(receipt("alice", 1, 65)); got != http.StatusServiceUnavailable {
		t.Fatalf("alice's 65th queued receipt: status %d, want 503", got)
	}
	// The chain pays nonce 1000 first: the 64 queued receipts are now
	// replays, refused by the chain in every batch they are in.
	send("prov0", market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{receipt("alice", 1, 1_000)}})
	var total, rounds int64
	for {
		n := tick()
		if n > 8 {
			t.Fatalf("one round sent %d submit transactions, want at most 8", n)
		}
		if n == 0 {
			break
		}
		total += n
		if rounds++; rounds > 64 {
			t.Fatal("the refused receipts are still queued after 64 rounds")
		}
	}
	if total <= 8 {
		t.Fatalf("%d submit transactions for 64 refused receipts: the rounds did not bound them", total)
	}
	// A good receipt still goes through.
	if got := post(receipt("alice", 1, 2_000)); got != http.StatusAccepted {
		t.Fatalf("alice's good receipt: status %d, want 202", got)
	}
	if n := tick(); n != 1 {
		t.Fatalf("a good receipt took %d submit transactions, want 1", n)
	}
	if got := market.LastNonce(c.a.Committed(), testAddr("alice"), prov); got != 2_000 {
		t.Fatalf("the chain's last nonce from alice: %d, want 2000", got)
	}
}
