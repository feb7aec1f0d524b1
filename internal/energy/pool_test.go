package energy

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// TestTradedEnergyPool settles one interval where sun1 delivers 1000 Wh
// it sold, sun2 100 of the 200 it sold, and sun3 exports 900 Wh without a
// trade, then pays the traded-energy pool: sun1 and sun2 split it by
// delivered Wh, sun3 earns nothing and the rounding remainder goes to the
// treasury.
func TestTradedEnergyPool(t *testing.T) {
	meters := []meterSpec{{"sun1", solarAttrs(8000)}, {"sun2", solarAttrs(4000)}, {"sun3", solarAttrs(8000)}, {"home", loadAttrs()}}
	e := newEnv(t, meters)
	iv := uint64(e.now/interval) + 2
	for _, o := range []struct {
		side      energyv1.Side
		dev       string
		wh, price uint64
	}{{energyv1.Side_SIDE_ASK, "sun1", 1000, 100}, {energyv1.Side_SIDE_ASK, "sun2", 200, 120}, {energyv1.Side_SIDE_BID, "home", 1200, 150}} {
		if err := e.order(o.side, o.dev, iv, o.wh, o.price); err != nil {
			t.Fatal(err)
		}
	}
	e.advance(start(iv))
	for _, m := range meters {
		if err := e.read(m.name, rd(iv-1, 10_000, 20_000, 50_000, min(5000, m.attrs.BatteryWh))); err != nil {
			t.Fatalf("baseline %s: %v", m.name, err)
		}
	}
	e.advance(start(iv + 1))
	for _, r := range []struct {
		dev      string
		imp, exp uint64
		prod     uint64
	}{{"sun1", 10_000, 21_000, 51_100}, {"sun2", 10_000, 20_100, 50_150}, {"sun3", 10_000, 20_900, 51_000}, {"home", 11_200, 20_000, 50_000}} {
		soc := uint64(5000)
		if r.dev == "home" {
			soc = 0
		}
		if err := e.read(r.dev, rd(iv, r.imp, r.exp, r.prod, soc)); err != nil {
			t.Fatalf("%s: %v", r.dev, err)
		}
	}
	e.advance(start(iv+1) + 300)
	e.endBlock()
	if c, _ := GetClearing(e.st, iv, e.zone()); !c.Settled {
		t.Fatal("interval not settled")
	}
	ep := reward.CurrentEpoch(e.st).Number
	sold, total, ok := SoldIn(e.st, ep)
	if !ok || total != 1100 || len(sold) != 2 {
		t.Fatalf("sold in epoch %d: %v, total %d, want sun1 1000 + sun2 100", ep, sold, total)
	}
	for _, s := range sold {
		if s.Seller == testAddr("owner/sun3") {
			t.Fatalf("sun3 exported without a trade but is counted: %v", sold)
		}
	}

	owners := []ledger.Address{testAddr("owner/sun1"), testAddr("owner/sun2"), testAddr("owner/sun3"), Treasury}
	before := make([]uint64, len(owners))
	for i, a := range owners {
		before[i] = bank.Balance(e.st, a)
	}
	ctx := &ledger.Context{Store: e.st, ChainID: "energy-test", Height: e.now, Time: e.now * 1e9}
	if err := PayPool(ctx, ep, reward.Pool{Name: PoolName, Bps: 500, Recipient: reward.RecipientEnergy}, 1000); err != nil {
		t.Fatal(err)
	}
	// 1000 × 1000/1100 = 909, 1000 × 100/1100 = 90, remainder 1.
	for i, want := range []uint64{909, 90, 0, 1} {
		if got := bank.Balance(e.st, owners[i]) - before[i]; got != want {
			t.Errorf("account %d received %d, want %d", i, got, want)
		}
	}
	if _, total, _ := SoldIn(e.st, ep); total != 0 {
		t.Errorf("epoch %d still has %d delivered Wh after paying", ep, total)
	}
	// An epoch without delivered trades: the whole pool to the treasury.
	tb := bank.Balance(e.st, Treasury)
	if err := PayPool(ctx, ep+1, reward.Pool{Name: PoolName, Bps: 500, Recipient: reward.RecipientEnergy}, 777); err != nil {
		t.Fatal(err)
	}
	if got := bank.Balance(e.st, Treasury) - tb; got != 777 {
		t.Errorf("treasury got %d of an epoch without trades, want 777", got)
	}
}
