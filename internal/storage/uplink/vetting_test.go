package uplink

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// TestNetworkVettingCapsBids: with storage.vetting_max_open_deals 1, nine
// new providers take the eight shards of a 4/8 file, one each; on the next
// storage order only the provider without a deal bids, the eight at their
// cap do not (the chain would refuse their deal).
func TestNetworkVettingCapsBids(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of nine providers for a few seconds")
	}
	names := []string{"alice"}
	for i := range 9 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{
		storage.ProofPeriod.Name: 60, storage.ProofWindow.Name: 48, storage.AckTimeout.Name: 400,
		storage.VettingMaxOpenDeals.Name: 1, "market.settle_period_blocks": 1000,
	}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go c.run(ctx, 25*time.Millisecond)
	dir := t.TempDir()
	for i := range 9 {
		name := fmt.Sprintf("prov%d", i)
		p := startProvider(t, c, name, filepath.Join(dir, name), provider.AdversaryNone)
		defer p.stop()
	}
	data := make([]byte, 100<<10)
	rand.Read(data)
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	u := New(cfg, c, testKey("alice"), bytes.Repeat([]byte{7}, content.KeyLen), slog.New(slog.NewTextHandler(io.Discard, nil)))
	buyCredits(t, ctx, c, "alice")
	cid, err := u.Put(ctx, in, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	holders := map[string]bool{}
	for _, d := range mustDeals(t, u, cid) {
		holders[d.Provider] = true
	}
	if len(holders) != 8 {
		t.Fatalf("%d providers hold the 8 shards", len(holders))
	}
	order, _ := proto.Marshal(&marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: cfg.MaxPrice, Duration: cfg.Duration, Deposit: 1_000_000})
	res, err := c.SignAndSend(ctx, testKey("alice"), client.Tx{Fee: 1_000, Msgs: []*txv1.Msg{{Type: market.TypeCreateOrder, Value: order}}})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, e := range res.Events {
		for _, a := range e.Attrs {
			if e.Type == "market.order" && a.Key == "order" {
				id = a.Value
			}
		}
	}
	bids := func() []market.BidView {
		var page market.BidsPage
		if err := c.Query(ctx, "market/bids?order="+id, &page); err != nil {
			t.Fatal(err)
		}
		return page.Bids
	}
	waitFor(t, ctx, "the provider without a deal to bid", func() bool { return len(bids()) > 0 })
	// Every provider polls every 40 ms and a block is 25 ms: forty blocks
	// give the capped ones many chances to bid.
	until := c.height() + 40
	waitFor(t, ctx, "forty more blocks", func() bool { return c.height() >= until })
	got := bids()
	if len(got) != 1 || holders[got[0].Provider] {
		t.Fatalf("bids on the new order: %+v; want one, from the provider without a deal", got)
	}
}
