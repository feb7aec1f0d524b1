package energy

import (
	"bytes"
	"slices"

	"github.com/depin-network/depin/internal/bank"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// settle settles an interval and zone against its committed reads.
//
// A seller's metered export is the exported Wh of its complete read of the
// interval, unless the read's production is flagged against the zone's
// peers (kenergy.Peers); no read, a read after a gap and a flagged read
// measure 0. That export is handed to the seller's trades in trade order;
// each trade pays the seller the delivered Wh at the clearing price
// (rounded down) from the buyer's escrow, and each undelivered Wh costs the
// seller energy_market.penalty_bps of its value from the ask's collateral,
// paid to the balancing account. What is left of a bid's escrow is
// refunded to the buyer, of an ask's collateral to the seller, so payments
// + refunds + penalties = escrow. A buyer whose complete read imported more
// than it bought in the zone pays the excess at
// energy_market.imbalance_price to the balancing account from its balance
// (what the balance cannot cover is a line too). Renewable Wh delivered
// accrue per buyer and source device; each energy_market.certificate_wh
// mints the buyer a certificate.
func settle(ctx *ledger.Context, iv, zone uint64, reads []*energyv1.IntervalRead, trades []*energyv1.Trade) *ledger.Error {
	st := ctx.Store
	kp := kindParams(st)
	var peers []kenergy.PeerRead
	var peerIdx []int
	for i, r := range reads {
		if r.Complete && r.Renewable {
			peers = append(peers, kenergy.PeerRead{Zone: r.Zone, Interval: r.Interval, Produced: r.ProducedWh, RatedW: r.RatedPowerW})
			peerIdx = append(peerIdx, i)
		}
	}
	flagged := make([]bool, len(reads))
	for j, f := range kenergy.Peers(kp, peers) {
		flagged[peerIdx[j]] = f
	}
	readOf := func(dev []byte) (int, bool) {
		return slices.BinarySearchFunc(reads, dev, func(r *energyv1.IntervalRead, d []byte) int { return bytes.Compare(r.Device, d) })
	}
	// measured returns a device's metered export and why it is what it is.
	measured := func(dev []byte) (uint64, string) {
		i, ok := readOf(dev)
		switch {
		case !ok:
			return 0, ReasonNoRead
		case !reads[i].Complete:
			return 0, ReasonGap
		case flagged[i]:
			return 0, ReasonAbovePeers
		}
		return reads[i].ExportedWh, ReasonDelivered
	}

	orders := map[uint64]*energyv1.Order{}
	var ids []uint64 // matched orders in first-trade order
	load := func(id uint64) *energyv1.Order {
		if o, ok := orders[id]; ok {
			return o
		}
		o, ok := GetOrder(st, id)
		if !ok {
			panic("energy: a trade names a missing order")
		}
		orders[id] = o
		ids = append(ids, id)
		return o
	}
	left := map[string]uint64{}  // seller device -> export not yet handed out
	why := map[string]string{}   // seller device -> reason of its measure
	paid := map[uint64]uint64{}  // bid -> paid from its escrow
	taken := map[uint64]uint64{} // ask -> taken from its collateral
	lines := &lineWriter{ctx: ctx, iv: iv, zone: zone}
	penaltyBps := params.Get(st, PenaltyBps)
	certWh := params.Get(st, CertificateWh)
	for _, t := range trades {
		ask, bid := load(t.Ask), load(t.Bid)
		dev := string(ask.Device)
		if _, ok := why[dev]; !ok {
			left[dev], why[dev] = measured(ask.Device)
		}
		delivered := min(t.Wh, left[dev])
		left[dev] -= delivered
		t.DeliveredWh = delivered
		st.Set(key(tagTrade, iz(iv, zone), ledger.U64(t.Seq)), ledger.Encode(t))
		pay, _ := ledger.MulDiv(delivered, t.Price, 1000)
		paid[bid.Id] += pay
		if delivered > 0 {
			if e := lines.pay(Escrow, addrOf(ask.Owner), addrOf(ask.Owner), ask.Device, ask.Id, LinePayment, delivered, pay, ReasonDelivered); e != nil {
				return e
			}
			if e := addSold(st, addrOf(ask.Owner), delivered); e != nil {
				return e
			}
		}
		if short := t.Wh - delivered; short > 0 {
			reason := why[dev]
			if reason == ReasonDelivered {
				reason = ReasonShortfall
			}
			value, _ := ledger.MulDiv(short, t.Price, 1000)
			pen, _ := ledger.MulDiv(value, penaltyBps, 10_000)
			pen = min(pen, ask.Escrow-taken[ask.Id])
			taken[ask.Id] += pen
			if e := lines.pay(Escrow, Balancing, addrOf(ask.Owner), ask.Device, ask.Id, LinePenalty, short, pen, reason); e != nil {
				return e
			}
		}
		if delivered > 0 {
			if i, ok := readOf(ask.Device); ok && reads[i].Renewable {
				if e := accrue(ctx, addrOf(bid.Owner), ask.Device, zone, iv, delivered, certWh); e != nil {
					return e
				}
			}
		}
	}
	// Escrow left over, in order of first trade.
	bought := map[string]uint64{}
	var buyers []*energyv1.Order
	for _, id := range ids {
		o := orders[id]
		if o.Side == energyv1.Side_SIDE_BID {
			if left := o.Escrow - paid[o.Id]; left > 0 {
				if e := lines.pay(Escrow, addrOf(o.Owner), addrOf(o.Owner), o.Device, o.Id, LineRefund, o.Wh-o.MatchedWh, left, ReasonUnspent); e != nil {
					return e
				}
			}
			if bought[string(o.Device)] == 0 {
				buyers = append(buyers, o)
			}
			bought[string(o.Device)] += o.MatchedWh
		} else {
			if left := o.Escrow - taken[o.Id]; left > 0 {
				if e := lines.pay(Escrow, addrOf(o.Owner), addrOf(o.Owner), o.Device, o.Id, LineCollateralRefund, 0, left, ReasonCollateral); e != nil {
					return e
				}
			}
		}
		o.State = energyv1.OrderState_ORDER_STATE_SETTLED
		putOrder(st, o)
	}
	// Imbalance of buyers that took more than they bought.
	price := params.Get(st, ImbalancePrice)
	for _, o := range buyers {
		i, ok := readOf(o.Device)
		if !ok || !reads[i].Complete || reads[i].ImportedWh <= bought[string(o.Device)] {
			continue
		}
		excess := reads[i].ImportedWh - bought[string(o.Device)]
		charge, _ := ledger.MulDiv(excess, price, 1000)
		owner := addrOf(o.Owner)
		can := min(charge, bank.Balance(st, owner))
		if e := lines.pay(owner, Balancing, owner, o.Device, o.Id, LineImbalance, excess, can, ReasonTookMore); e != nil {
			return e
		}
		if charge > can {
			if e := lines.add(&energyv1.Line{Account: o.Owner, Device: o.Device, Order: o.Id, Kind: LineImbalance, Wh: excess,
				Amount: charge - can, Reason: ReasonImbalanceUnpaid}, st); e != nil {
				return e
			}
		}
	}
	c, _ := GetClearing(st, iv, zone)
	c.Settled = true
	putClearing(st, c)
	st.Delete(key(tagToSettle, iz(iv, zone)))
	ctx.Emit("energy.settled", ledger.AU64("zone", zone), ledger.AU64("interval", iv), ledger.AU64("trades", uint64(len(trades))),
		ledger.AU64("reads", uint64(len(reads))))
	return nil
}

// accrue adds renewable Wh a source device delivered to a holder and mints
// a certificate for every certWh accrued.
func accrue(ctx *ledger.Context, holder ledger.Address, dev []byte, zone, iv, wh, certWh uint64) *ledger.Error {
	st := ctx.Store
	k := key(tagAccrued, holder[:], dev)
	acc, ok := ledger.Add(ledger.GetU64(st, k), wh)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "renewable Wh accrued overflow")
	}
	for acc >= certWh {
		acc -= certWh
		c := &energyv1.Certificate{Id: nextID(st, tagCert), Holder: holder[:], Device: dev, Zone: zone, Interval: iv, Wh: certWh}
		putCertificate(st, c)
		ctx.Emit("energy.certificate", ledger.AU64("certificate", c.Id), ledger.A("holder", holder.String()),
			ledger.A("device", addrOf(dev).String()), ledger.AU64("zone", zone), ledger.AU64("interval", iv), ledger.AU64("wh", certWh))
	}
	ledger.SetU64(st, k, acc)
	return nil
}
