package energy

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// EndBlock clears every interval and zone whose gate has closed (block
// time ≥ start − energy_market.gate_closure_seconds) and settles every one
// whose read window has closed (block time ≥ end +
// energy_market.read_window_seconds), oldest interval first, zones in
// ascending order.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	if ctx.Time < 0 {
		return nil
	}
	now := uint64(ctx.Time / 1e9)
	s := kindParams(st).IntervalSeconds
	for _, g := range byInterval(due(st, tagToClear, (now+params.Get(st, GateSeconds))/s)) {
		// One pass over the interval's books before any write: iterating
		// a block's overlay costs its buffered writes, so a pass per zone
		// after other zones' writes would grow with the square of zones.
		books := booksOf(st, g.interval)
		for _, z := range g.zones {
			// A zone queued with an empty book (no order left in it)
			// clears with nothing traded rather than dereferencing nil.
			var asks, bids []*energyv1.Order
			if b := books[z]; b != nil {
				asks, bids = b.asks, b.bids
			}
			if e := clear(ctx, g.interval, z, asks, bids); e != nil {
				return e
			}
		}
	}
	if w := params.Get(st, ReadWindow); now >= w+s {
		for _, g := range byInterval(due(st, tagToSettle, (now-w)/s-1)) {
			reads, trades := intervalReads(st, g.interval), intervalTrades(st, g.interval)
			for _, z := range g.zones {
				if e := settle(ctx, g.interval, z, reads[z], trades[z]); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

type intervalZones struct {
	interval uint64
	zones    []uint64
}

// byInterval groups (interval, zone) keys, sorted, by interval.
func byInterval(keys [][2]uint64) []intervalZones {
	var out []intervalZones
	for _, k := range keys {
		if n := len(out); n == 0 || out[n-1].interval != k[0] {
			out = append(out, intervalZones{interval: k[0]})
		}
		out[len(out)-1].zones = append(out[len(out)-1].zones, k[1])
	}
	return out
}

type book struct{ asks, bids []*energyv1.Order }

// booksOf returns the books of every zone of an interval.
func booksOf(st ledger.Store, iv uint64) map[uint64]*book {
	out := map[uint64]*book{}
	ledger.IteratePrefix(st, key(tagBook, ledger.U64(iv)), func(k, _ []byte) bool {
		n := len(k)
		zone, id := ledger.ReadU64(k[n-17:n-9]), ledger.ReadU64(k[n-8:])
		o, ok := GetOrder(st, id)
		if !ok {
			panic("energy: book names a missing order")
		}
		b := out[zone]
		if b == nil {
			b = &book{}
			out[zone] = b
		}
		if o.Side == energyv1.Side_SIDE_ASK {
			b.asks = append(b.asks, o)
		} else {
			b.bids = append(b.bids, o)
		}
		return true
	})
	return out
}

// intervalReads returns the accepted reads of an interval by zone, each
// zone's by device.
func intervalReads(st ledger.Store, iv uint64) map[uint64][]*energyv1.IntervalRead {
	out := map[uint64][]*energyv1.IntervalRead{}
	ledger.IteratePrefix(st, key(tagRead, ledger.U64(iv)), func(_, v []byte) bool {
		r := new(energyv1.IntervalRead)
		ledger.DecodeState(v, r)
		out[r.Zone] = append(out[r.Zone], r)
		return true
	})
	return out
}

// intervalTrades returns the trades of an interval by zone, in trade order.
func intervalTrades(st ledger.Store, iv uint64) map[uint64][]*energyv1.Trade {
	out := map[uint64][]*energyv1.Trade{}
	ledger.IteratePrefix(st, key(tagTrade, ledger.U64(iv)), func(_, v []byte) bool {
		t := new(energyv1.Trade)
		ledger.DecodeState(v, t)
		out[t.Zone] = append(out[t.Zone], t)
		return true
	})
	return out
}

// due lists the (interval, zone) keys of a queue up to interval last.
func due(st ledger.Store, tag byte, last uint64) [][2]uint64 {
	var out [][2]uint64
	end := key(tag, ledger.U64(last+1))
	if last == ^uint64(0) {
		end = ledger.PrefixEnd(key(tag))
	}
	st.Iterate(key(tag), end, func(k, _ []byte) bool {
		n := len(k)
		out = append(out, [2]uint64{ledger.ReadU64(k[n-16 : n-8]), ledger.ReadU64(k[n-8:])})
		return true
	})
	return out
}

// clear runs the auction of an interval and zone, records its trades and
// refunds every order that matched nothing.
func clear(ctx *ledger.Context, iv, zone uint64, asks, bids []*energyv1.Order) *ledger.Error {
	st := ctx.Store
	res := Clear(offers(asks), offers(bids))
	byID := map[uint64]*energyv1.Order{}
	for _, o := range append(append([]*energyv1.Order{}, asks...), bids...) {
		byID[o.Id] = o
	}
	for n, m := range res.Matches {
		t := &energyv1.Trade{Zone: zone, Interval: iv, Seq: uint64(n + 1), Ask: m.Ask, Bid: m.Bid, Wh: m.Wh, Price: res.Price}
		st.Set(key(tagTrade, iz(iv, zone), ledger.U64(t.Seq)), ledger.Encode(t))
		byID[m.Ask].MatchedWh += m.Wh
		byID[m.Bid].MatchedWh += m.Wh
	}
	lines := &lineWriter{ctx: ctx, iv: iv, zone: zone}
	for _, o := range append(append([]*energyv1.Order{}, asks...), bids...) {
		if o.MatchedWh > 0 {
			o.State = energyv1.OrderState_ORDER_STATE_MATCHED
			putOrder(st, o)
			continue
		}
		o.State = energyv1.OrderState_ORDER_STATE_UNMATCHED
		putOrder(st, o)
		kind := LineRefund
		if o.Side == energyv1.Side_SIDE_ASK {
			kind = LineCollateralRefund
		}
		if o.Escrow == 0 {
			continue
		}
		if e := lines.pay(Escrow, addrOf(o.Owner), addrOf(o.Owner), o.Device, o.Id, kind, 0, o.Escrow, ReasonUnmatched); e != nil {
			return e
		}
	}
	c, ok := GetClearing(st, iv, zone)
	if !ok {
		c.Interval, c.Zone = iv, zone
	}
	c.Price, c.TradedWh, c.Height = res.Price, res.Traded, ctx.Height
	putClearing(st, c)
	st.Delete(key(tagToClear, iz(iv, zone)))
	st.Set(key(tagToSettle, iz(iv, zone)), []byte{})
	ctx.Emit("energy.clearing", ledger.AU64("zone", zone), ledger.AU64("interval", iv), ledger.AU64("price", res.Price),
		ledger.AU64("traded_wh", res.Traded), ledger.AU64("asks", c.Asks), ledger.AU64("bids", c.Bids))
	return nil
}

func offers(os []*energyv1.Order) []Offer {
	out := make([]Offer, len(os))
	for i, o := range os {
		out[i] = Offer{ID: o.Id, Wh: o.Wh, Price: o.Price}
	}
	return out
}

// Line kinds.
const (
	LinePayment          = "payment"           // escrow to a seller for delivered Wh
	LineRefund           = "refund"            // escrow back to a buyer
	LinePenalty          = "penalty"           // a seller's collateral to the balancing account
	LineCollateralRefund = "collateral_refund" // collateral back to a seller
	LineImbalance        = "imbalance"         // a buyer's balance to the balancing account
)

// Line reasons.
const (
	ReasonUnmatched       = "unmatched" // the auction gave the order nothing
	ReasonDelivered       = "delivered" // the seller's meter shows the traded Wh
	ReasonShortfall       = "shortfall" // the seller's meter shows less than it sold
	ReasonNoRead          = "no_read"   // the device committed no read of the interval
	ReasonGap             = "gap"       // the read follows a gap: the interval is not measured
	ReasonAbovePeers      = "production_above_peers"
	ReasonUnspent         = "unspent"          // the bid's escrow beyond what was paid
	ReasonCollateral      = "collateral"       // the ask's collateral beyond its penalties
	ReasonTookMore        = "took_more"        // the buyer imported more than it bought
	ReasonImbalanceUnpaid = "imbalance_unpaid" // the buyer's balance could not pay it all
)

// lineWriter appends the settlement lines of one interval and zone, moving
// each line's amount.
type lineWriter struct {
	ctx      *ledger.Context
	iv, zone uint64
}

// pay moves amount from one account to another and records the line of
// account (the party the line is about: the payee of a payment or refund,
// the payer of a penalty or imbalance).
func (w *lineWriter) pay(from, to, account ledger.Address, dev []byte, order uint64, kind string, wh, amount uint64, reason string) *ledger.Error {
	st := w.ctx.Store
	if e := move(w.ctx, from, to, amount); e != nil {
		return e
	}
	return w.add(&energyv1.Line{Account: account[:], Device: dev, Order: order, Kind: kind, Wh: wh, Amount: amount, Reason: reason}, st)
}

func (w *lineWriter) add(l *energyv1.Line, st ledger.Store) *ledger.Error {
	seqKey := key(tagNextID, []byte{tagLine}, iz(w.iv, w.zone))
	seq := ledger.GetU64(st, seqKey) + 1
	ledger.SetU64(st, seqKey, seq)
	l.Zone, l.Interval, l.Seq = w.zone, w.iv, seq
	st.Set(key(tagLine, iz(w.iv, w.zone), ledger.U64(seq)), ledger.Encode(l))
	if len(l.Device) > 0 {
		st.Set(key(tagDevLine, l.Device, iz(w.iv, w.zone), ledger.U64(seq)), []byte{})
	}
	w.ctx.Emit("energy.line", ledger.AU64("zone", w.zone), ledger.AU64("interval", w.iv), ledger.AU64("seq", seq),
		ledger.A("account", addrOf(l.Account).String()), ledger.AU64("order", l.Order), ledger.A("kind", l.Kind),
		ledger.AU64("wh", l.Wh), ledger.AU64("amount", l.Amount), ledger.A("reason", l.Reason))
	return nil
}
