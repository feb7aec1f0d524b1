package energy

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// TestSettlementConservation drives random books and random (honest, short,
// missing, refused) reads through clearing and settlement and checks, for
// every interval: payments + refunds + penalties = escrow, and no seller is
// paid for more Wh than its meter measured in that interval.
func TestSettlementConservation(t *testing.T) {
	var traded uint64
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, 7).Draw(rt, "meters")
		var meters []meterSpec
		for i := 0; i < n; i++ {
			a := solarAttrs(uint64(rapid.IntRange(1000, 8000).Draw(rt, "rated")))
			if rapid.Bool().Draw(rt, "load") {
				a = loadAttrs()
			}
			meters = append(meters, meterSpec{name: fmt.Sprintf("m%d", i), attrs: a})
		}
		e := newEnv(rt, meters)
		iv0 := uint64(e.now/interval) + 2
		ivs := rapid.IntRange(1, 3).Draw(rt, "intervals")
		for k := 0; k < ivs; k++ {
			for _, m := range meters {
				for j := rapid.IntRange(0, 2).Draw(rt, "orders"); j > 0; j-- {
					side := energyv1.Side_SIDE_BID
					if rapid.Bool().Draw(rt, "ask") {
						side = energyv1.Side_SIDE_ASK
					}
					_ = e.order(side, m.name, iv0+uint64(k), uint64(rapid.IntRange(1, 2500).Draw(rt, "wh")), uint64(rapid.IntRange(1, 400).Draw(rt, "price")))
				}
			}
		}
		ctr := make([][3]uint64, n)
		for k := -1; k < ivs; k++ {
			iv := iv0 + uint64(k)
			e.advance(start(iv + 1))
			for i, m := range meters {
				if k >= 0 && rapid.IntRange(0, 5).Draw(rt, "skip") == 0 {
					continue // no read: a gap
				}
				lim := m.attrs.RatedPowerW * interval / 3600
				imp := uint64(rapid.IntRange(0, int(lim)).Draw(rt, "imp"))
				prod := uint64(rapid.IntRange(0, int(lim)).Draw(rt, "prod"))
				if !m.attrs.Renewable {
					prod = 0
				}
				exp := uint64(rapid.IntRange(0, int(prod)).Draw(rt, "exp"))
				if rapid.IntRange(0, 8).Draw(rt, "liar") == 0 {
					exp = prod + imp + 1 // refused: export beyond its sources
				}
				r := &kenergyv1.Read{Interval: iv, ImportedWh: ctr[i][0] + imp, ExportedWh: ctr[i][1] + exp, ProducedWh: ctr[i][2] + prod,
					SocWh: min(5000, m.attrs.BatteryWh)}
				if e.read(m.name, r) == nil {
					ctr[i] = [3]uint64{r.ImportedWh, r.ExportedWh, r.ProducedWh}
				}
			}
		}
		e.advance(start(iv0+uint64(ivs)) + 400)
		e.advance(start(iv0+uint64(ivs)+1) + 400)
		for k := 0; k < ivs; k++ {
			iv := iv0 + uint64(k)
			c, ok := GetClearing(e.st, iv, e.zone())
			if !ok {
				continue
			}
			if !c.Settled {
				rt.Fatalf("interval %d not settled", iv)
			}
			traded += c.TradedWh
			var escrow, out uint64
			asks, bids := bookOf(e.st, iv, e.zone())
			for _, o := range append(asks, bids...) {
				escrow += o.Escrow
				if o.State == energyv1.OrderState_ORDER_STATE_OPEN || o.State == energyv1.OrderState_ORDER_STATE_MATCHED {
					rt.Fatalf("order %d still %v after settlement", o.Id, o.State)
				}
			}
			paidWh := map[ledger.Address]uint64{}
			for _, l := range LinesOf(e.st, iv, e.zone()) {
				if l.Kind != LineImbalance {
					out += l.Amount
				}
				if l.Kind == LinePayment {
					paidWh[addrOf(l.Device)] += l.Wh
				}
			}
			if escrow != out {
				rt.Fatalf("interval %d: escrow %d, paid out %d", iv, escrow, out)
			}
			reads := readsOf(e.st, iv, e.zone())
			for dev, wh := range paidWh {
				var metered uint64
				for _, r := range reads {
					if addrOf(r.Device) == dev && r.Complete {
						metered = r.ExportedWh
					}
				}
				if wh > metered {
					rt.Fatalf("interval %d: %s paid for %d Wh, metered %d", iv, dev, wh, metered)
				}
			}
		}
	})
	if traded == 0 {
		t.Fatal("no draw traded anything: the property was never exercised")
	}
}
