package energy

import (
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// MaxLimit bounds a list query's page.
const MaxLimit = 1_000

// Queries registers the energy market's read-only queries (JSON views):
//
//	energy/intervals                  clearings (?zone= hex, ?from= interval, ?limit=)
//	energy/clearing/{zone}/{interval} a clearing with its orders, trades, reads and lines
//	energy/settlement/{device}        settlement lines of a device (?from= interval, ?limit=)
//	energy/certificates/{address}     certificates held by an account
//	energy/meters/{device}            a device's last accepted read
func Queries(rt *ledger.QueryRouter) {
	rt.Add("energy/intervals", queryIntervals)
	rt.Add("energy/clearing/{zone}/{interval}", queryClearing)
	rt.Add("energy/settlement/{device}", querySettlement)
	rt.Add("energy/certificates/{address}", queryCertificates)
	rt.Add("energy/meters/{device}", queryMeter)
}

func badRequest(format string, args ...any) *ledger.QueryError {
	return ledger.QueryErrorf(ledger.QueryBadRequest, format, args...)
}

func u64Arg(q *ledger.Query, name string, base int, def uint64) (uint64, *ledger.QueryError) {
	s := q.Arg(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, badRequest("%s %q is not a number", name, s)
	}
	return n, nil
}

func limitArg(q *ledger.Query) (int, *ledger.QueryError) {
	n, e := u64Arg(q, "limit", 10, 100)
	if e != nil || n < 1 || n > MaxLimit {
		return 0, badRequest("limit must be 1 to %d", MaxLimit)
	}
	return int(n), nil
}

// ClearingView is a clearing in JSON.
type ClearingView struct {
	Zone     string `json:"zone"`
	Interval uint64 `json:"interval,string"`
	Price    uint64 `json:"price,string"`
	TradedWh uint64 `json:"traded_wh,string"`
	Asks     uint64 `json:"asks,string"`
	Bids     uint64 `json:"bids,string"`
	Height   int64  `json:"height,string"`
	Cleared  bool   `json:"cleared"`
	Settled  bool   `json:"settled"`
}

// ZoneString formats a zone as its H3 hex index.
func ZoneString(z uint64) string { return strconv.FormatUint(z, 16) }

func viewClearing(c *energyv1.Clearing) ClearingView {
	return ClearingView{Zone: ZoneString(c.Zone), Interval: c.Interval, Price: c.Price, TradedWh: c.TradedWh, Asks: c.Asks,
		Bids: c.Bids, Height: c.Height, Cleared: c.Height > 0, Settled: c.Settled}
}

func queryIntervals(q *ledger.Query) (any, *ledger.QueryError) {
	from, e := u64Arg(q, "from", 10, 0)
	if e != nil {
		return nil, e
	}
	limit, e := limitArg(q)
	if e != nil {
		return nil, e
	}
	zoneSet := q.Arg("zone") != ""
	zone, e := u64Arg(q, "zone", 16, 0)
	if e != nil {
		return nil, e
	}
	out := struct {
		Intervals []ClearingView `json:"intervals"`
	}{Intervals: []ClearingView{}}
	q.Store.Iterate(key(tagClearing, ledger.U64(from)), ledger.PrefixEnd(key(tagClearing)), func(_, v []byte) bool {
		c := new(energyv1.Clearing)
		ledger.DecodeState(v, c)
		if !zoneSet || c.Zone == zone {
			out.Intervals = append(out.Intervals, viewClearing(c))
		}
		return len(out.Intervals) < limit
	})
	return out, nil
}

// OrderView is an order in JSON.
type OrderView struct {
	ID        uint64 `json:"id,string"`
	Side      string `json:"side"`
	Owner     string `json:"owner"`
	Device    string `json:"device"`
	Wh        uint64 `json:"wh,string"`
	Price     uint64 `json:"price,string"`
	Escrow    uint64 `json:"escrow,string"`
	MatchedWh uint64 `json:"matched_wh,string"`
	State     string `json:"state"`
}

// TradeView is a trade in JSON.
type TradeView struct {
	Seq         uint64 `json:"seq,string"`
	Ask         uint64 `json:"ask,string"`
	Bid         uint64 `json:"bid,string"`
	Wh          uint64 `json:"wh,string"`
	Price       uint64 `json:"price,string"`
	DeliveredWh uint64 `json:"delivered_wh,string"`
}

// ReadView is an accepted interval read in JSON.
type ReadView struct {
	Device     string `json:"device"`
	Complete   bool   `json:"complete"`
	ImportedWh uint64 `json:"imported_wh,string"`
	ExportedWh uint64 `json:"exported_wh,string"`
	ProducedWh uint64 `json:"produced_wh,string"`
	SocWh      uint64 `json:"soc_wh,string"`
}

// LineView is a settlement line in JSON.
type LineView struct {
	Zone     string `json:"zone"`
	Interval uint64 `json:"interval,string"`
	Seq      uint64 `json:"seq,string"`
	Account  string `json:"account"`
	Device   string `json:"device,omitempty"`
	Order    uint64 `json:"order,string"`
	Kind     string `json:"kind"`
	Wh       uint64 `json:"wh,string"`
	Amount   uint64 `json:"amount,string"`
	Reason   string `json:"reason"`
}

func viewLine(l *energyv1.Line) LineView {
	v := LineView{Zone: ZoneString(l.Zone), Interval: l.Interval, Seq: l.Seq, Account: addrOf(l.Account).String(), Order: l.Order,
		Kind: l.Kind, Wh: l.Wh, Amount: l.Amount, Reason: l.Reason}
	if len(l.Device) > 0 {
		v.Device = addrOf(l.Device).String()
	}
	return v
}

// ClearingDetail is a clearing with everything that happened in it.
type ClearingDetail struct {
	ClearingView
	Orders []OrderView `json:"orders"`
	Trades []TradeView `json:"trades"`
	Reads  []ReadView  `json:"reads"`
	Lines  []LineView  `json:"lines"`
}

var stateNames = map[energyv1.OrderState]string{
	energyv1.OrderState_ORDER_STATE_OPEN: "open", energyv1.OrderState_ORDER_STATE_MATCHED: "matched",
	energyv1.OrderState_ORDER_STATE_UNMATCHED: "unmatched", energyv1.OrderState_ORDER_STATE_SETTLED: "settled",
}

func queryClearing(q *ledger.Query) (any, *ledger.QueryError) {
	zone, err := strconv.ParseUint(q.Vars[0], 16, 64)
	if err != nil {
		return nil, badRequest("zone %q is not a hex H3 index", q.Vars[0])
	}
	iv, err := strconv.ParseUint(q.Vars[1], 10, 64)
	if err != nil {
		return nil, badRequest("interval %q is not a number", q.Vars[1])
	}
	c, ok := GetClearing(q.Store, iv, zone)
	if !ok {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no orders in zone %s interval %d", q.Vars[0], iv)
	}
	out := ClearingDetail{ClearingView: viewClearing(c), Orders: []OrderView{}, Trades: []TradeView{}, Reads: []ReadView{}, Lines: []LineView{}}
	asks, bids := bookOf(q.Store, iv, zone)
	for _, o := range append(asks, bids...) {
		out.Orders = append(out.Orders, OrderView{ID: o.Id, Side: sideName(o.Side), Owner: addrOf(o.Owner).String(),
			Device: addrOf(o.Device).String(), Wh: o.Wh, Price: o.Price, Escrow: o.Escrow, MatchedWh: o.MatchedWh, State: stateNames[o.State]})
	}
	for _, t := range tradesOf(q.Store, iv, zone) {
		out.Trades = append(out.Trades, TradeView{Seq: t.Seq, Ask: t.Ask, Bid: t.Bid, Wh: t.Wh, Price: t.Price, DeliveredWh: t.DeliveredWh})
	}
	for _, r := range readsOf(q.Store, iv, zone) {
		out.Reads = append(out.Reads, ReadView{Device: addrOf(r.Device).String(), Complete: r.Complete, ImportedWh: r.ImportedWh,
			ExportedWh: r.ExportedWh, ProducedWh: r.ProducedWh, SocWh: r.SocWh})
	}
	for _, l := range LinesOf(q.Store, iv, zone) {
		out.Lines = append(out.Lines, viewLine(l))
	}
	return out, nil
}

func querySettlement(q *ledger.Query) (any, *ledger.QueryError) {
	dev, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, badRequest("%v", err)
	}
	from, e := u64Arg(q, "from", 10, 0)
	if e != nil {
		return nil, e
	}
	limit, e := limitArg(q)
	if e != nil {
		return nil, e
	}
	out := struct {
		Lines []LineView `json:"lines"`
	}{Lines: []LineView{}}
	q.Store.Iterate(key(tagDevLine, dev[:], ledger.U64(from)), ledger.PrefixEnd(key(tagDevLine, dev[:])), func(k, _ []byte) bool {
		n := len(k)
		l := new(energyv1.Line)
		if get(q.Store, key(tagLine, k[n-24:n-8], k[n-8:]), l) {
			out.Lines = append(out.Lines, viewLine(l))
		}
		return len(out.Lines) < limit
	})
	return out, nil
}

// CertificateView is a certificate in JSON.
type CertificateView struct {
	ID            uint64 `json:"id,string"`
	Holder        string `json:"holder"`
	Device        string `json:"device"`
	Zone          string `json:"zone"`
	Interval      uint64 `json:"interval,string"`
	Wh            uint64 `json:"wh,string"`
	Retired       bool   `json:"retired"`
	RetiredHeight int64  `json:"retired_height,string,omitempty"`
}

func queryCertificates(q *ledger.Query) (any, *ledger.QueryError) {
	a, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, badRequest("%v", err)
	}
	certs, consumed, retired := Holdings(q.Store, a)
	out := struct {
		Certificates []CertificateView `json:"certificates"`
		ConsumedWh   uint64            `json:"consumed_wh,string"`
		RetiredWh    uint64            `json:"retired_wh,string"`
	}{Certificates: []CertificateView{}, ConsumedWh: consumed, RetiredWh: retired}
	for _, c := range certs {
		out.Certificates = append(out.Certificates, CertificateView{ID: c.Id, Holder: a.String(), Device: addrOf(c.Device).String(),
			Zone: ZoneString(c.Zone), Interval: c.Interval, Wh: c.Wh, Retired: c.Retired, RetiredHeight: c.RetiredHeight})
	}
	return out, nil
}

func queryMeter(q *ledger.Query) (any, *ledger.QueryError) {
	dev, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, badRequest("%v", err)
	}
	m, ok := GetMeter(q.Store, dev)
	if !ok {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "device %s committed no read", dev)
	}
	return struct {
		Interval   uint64 `json:"interval,string"`
		ImportedWh uint64 `json:"imported_wh,string"`
		ExportedWh uint64 `json:"exported_wh,string"`
		ProducedWh uint64 `json:"produced_wh,string"`
		SocWh      uint64 `json:"soc_wh,string"`
		Reads      uint64 `json:"reads,string"`
	}{m.Interval, m.ImportedWh, m.ExportedWh, m.ProducedWh, m.SocWh, m.Reads}, nil
}
