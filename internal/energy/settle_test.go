package energy

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

func rd(iv, imp, exp, prod, soc uint64) *kenergyv1.Read {
	return &kenergyv1.Read{Interval: iv, ImportedWh: imp, ExportedWh: exp, ProducedWh: prod, SocWh: soc}
}

// TestSettleOneInterval walks one interval: two sellers, one buyer; one
// seller delivers less than it sold and the buyer takes more than it
// bought.
func TestSettleOneInterval(t *testing.T) {
	meters := []meterSpec{{"sun1", solarAttrs(8000)}, {"sun2", solarAttrs(4000)}, {"home", loadAttrs()}}
	e := newEnv(t, meters)
	iv := uint64(e.now/interval) + 2
	// 8 kW for 900 s is 2000 Wh at most.
	if err := e.order(energyv1.Side_SIDE_ASK, "sun1", iv, 2001, 100); err == nil || err.Code != CodeAboveRated {
		t.Fatalf("ask above rated: got %v, want code %d", err, CodeAboveRated)
	}
	if err := e.order(energyv1.Side_SIDE_ASK, "sun1", iv, 1000, 100); err != nil {
		t.Fatal(err)
	}
	if err := e.order(energyv1.Side_SIDE_ASK, "sun2", iv, 400, 120); err != nil {
		t.Fatal(err)
	}
	if err := e.order(energyv1.Side_SIDE_BID, "home", iv, 1200, 150); err != nil {
		t.Fatal(err)
	}
	sun1 := testAddr("sun1")
	if err := e.deliver("owner/home", TypeBid, &energyv1.MsgBid{Device: sun1[:], Interval: iv, Wh: 100, Price: 150}); err == nil || err.Code != CodeNotDeviceOwner {
		t.Fatalf("bid for another's device: got %v, want not_device_owner", err)
	}
	// Baseline reads closing the previous interval.
	e.advance(start(iv))
	for _, m := range meters {
		if err := e.read(m.name, rd(iv-1, 10_000, 20_000, 50_000, min(5000, m.attrs.BatteryWh))); err != nil {
			t.Fatalf("baseline %s: %v", m.name, err)
		}
	}
	// Gate closed: no more orders, and the clearing happened.
	if err := e.order(energyv1.Side_SIDE_BID, "home", iv, 100, 150); err == nil || err.Code != CodeGateClosed {
		t.Fatalf("late bid: got %v, want gate_closed", err)
	}
	c, _ := GetClearing(e.st, iv, e.zone())
	if c.Price != 120 || c.TradedWh != 1200 {
		t.Fatalf("clearing: got %d Wh at %d, want 1200 at 120", c.TradedWh, c.Price)
	}
	if err := e.read("sun1", rd(iv, 10_000, 21_000, 51_000, 5000)); err == nil || err.Code != CodeReadEarly {
		t.Fatalf("early read: got %v, want read_early", err)
	}
	e.advance(start(iv + 1))
	must := func(dev string, r *kenergyv1.Read) {
		t.Helper()
		if err := e.read(dev, r); err != nil {
			t.Fatalf("%s: %v", dev, err)
		}
	}
	must("sun1", rd(iv, 10_000, 21_000, 51_100, 4900))
	must("sun2", rd(iv, 10_000, 20_100, 50_150, 5000)) // sold 200, delivered 100
	must("home", rd(iv, 11_500, 20_000, 50_000, 0))    // bought 1200, took 1500
	if err := e.read("home", rd(iv, 11_500, 20_000, 50_000, 0)); err == nil || err.Code != CodeDuplicateRead {
		t.Fatalf("second read: got %v, want duplicate_read", err)
	}
	before := bank.Balance(e.st, testAddr("owner/home"))
	e.advance(start(iv+1) + 300)
	e.endBlock()
	c, _ = GetClearing(e.st, iv, e.zone())
	if !c.Settled {
		t.Fatal("interval not settled after its read window")
	}
	names := map[ledger.Address]string{}
	for _, m := range meters {
		names[testAddr(m.name)] = m.name
	}
	got := formatLines(LinesOf(e.st, iv, e.zone()), names)
	want := "" +
		"  1   payment            sun1       order=1   wh=1000   amount=120      delivered\n" +
		"  2   payment            sun2       order=2   wh=100    amount=12       delivered\n" +
		"  3   penalty            sun2       order=2   wh=100    amount=6        shortfall\n" +
		"  4   collateral_refund  sun1       order=1   wh=0      amount=50       collateral\n" +
		"  5   refund             home       order=3   wh=0      amount=48       unspent\n" +
		"  6   collateral_refund  sun2       order=2   wh=0      amount=18       collateral\n" +
		"  7   imbalance          home       order=3   wh=300    amount=120      took_more\n"
	if got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
	// home's escrow (180) was paid at bid time; settlement refunds 48 and
	// charges 120 of imbalance.
	if after := bank.Balance(e.st, testAddr("owner/home")); before-after != 120-48 {
		t.Errorf("home paid %d at settlement, want 72", int64(before)-int64(after))
	}
	// Conservation: payments + refunds + penalties = escrow.
	var in, out uint64
	for _, id := range []uint64{1, 2, 3} {
		o, _ := GetOrder(e.st, id)
		in += o.Escrow
		if o.State != energyv1.OrderState_ORDER_STATE_SETTLED {
			t.Errorf("order %d state %v", id, o.State)
		}
	}
	for _, l := range LinesOf(e.st, iv, e.zone()) {
		if l.Kind != LineImbalance {
			out += l.Amount
		}
	}
	if in != out {
		t.Errorf("escrow %d, paid out %d", in, out)
	}
	// A certificate for sun1's 1000 renewable Wh, retired once.
	certs := 0
	home := testAddr("owner/home")
	ledger.IteratePrefix(e.st, key(tagHolder, home[:]), func(_, _ []byte) bool { certs++; return true })
	if certs != 1 {
		t.Fatalf("home holds %d certificates, want 1", certs)
	}
	e.must("owner/home", TypeRetire, &energyv1.MsgRetire{Certificate: 1})
	if err := e.deliver("owner/home", TypeRetire, &energyv1.MsgRetire{Certificate: 1}); err == nil || err.Code != CodeCertRetired {
		t.Fatalf("second retirement: got %v, want certificate_retired", err)
	}
	if err := e.deliver("owner/sun1", TypeRetire, &energyv1.MsgRetire{Certificate: 1}); err == nil || err.Code != CodeNotHolder {
		t.Fatalf("retirement by another: got %v, want not_certificate_holder", err)
	}
}
