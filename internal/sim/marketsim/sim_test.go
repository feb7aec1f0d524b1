package marketsim

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/sig"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// TestSimulation steps the simulation against an in-process chain: the
// providers register and bid, every consumer gets a lease, the dry
// consumer's lease is closed by the sweep for insufficient funds while the
// others are topped up, and the pay-per-use consumer's receipts are paid
// and counted as usage.
func TestSimulation(t *testing.T) {
	labels := []string{"p0", "p1", "c0", "c1", "ppu"}
	g := clienttest.Genesis("authority", 1_000_000_000_000, labels...)
	g.Params = map[string]uint64{market.MinDeposit.Name: 1_000, market.MinCollateral.Name: 1_000}
	chain, err := clienttest.NewChain("depin-marketsim", g)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(chain)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.NodeURL, cfg.Fee, cfg.DryBlocks, cfg.FundedBlocks = srv.URL, 1_000, 20, 60
	keys := Keys{Providers: []sig.PrivateKey{clienttest.Key("p0"), clienttest.Key("p1")},
		Consumers: []sig.PrivateKey{clienttest.Key("c0"), clienttest.Key("c1")}, PayPerUse: clienttest.Key("ppu")}
	s, err := New(cfg, keys, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 30 {
		if err := s.Step(ctx); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := chain.Block(); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := s.Stats()
	if st.DryClosed == 0 || st.Leases < 3 || st.Bids < 4 || st.TopUps == 0 || st.Receipts < 25 || st.CreditBuys == 0 {
		t.Fatalf("stats %+v", st)
	}
	com := chain.App().Committed()
	c1 := clienttest.Addr("c1")
	active, _ := market.ListLeases(com, market.LeaseFilter{Owner: &c1, State: marketv1.LeaseState_LEASE_STATE_ACTIVE}, market.Page{})
	if len(active) != 1 {
		t.Fatalf("the topped-up consumer has %d active leases, want 1", len(active))
	}
	if _, total := market.EpochUsage(com, 0); total == 0 {
		t.Fatal("no usage recorded for the usage pool")
	}
	if credit.GetTotals(com).Spent != uint64(st.Receipts)*cfg.ReceiptCredits {
		t.Fatalf("credits spent %d, want %d receipts × %d", credit.GetTotals(com).Spent, st.Receipts, cfg.ReceiptCredits)
	}
}
