package relay

import (
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// RelayView is a relay.
type RelayView struct {
	Address    string `json:"address"`
	HostURI    string `json:"host_uri"`
	Bytes      uint64 `json:"bytes,string"`
	Earned     uint64 `json:"earned,string"`
	TicketsWon uint64 `json:"tickets_won,string"`
}

// ChannelView is a channel with its latest paid receipt.
type ChannelView struct {
	Consumer     string `json:"consumer"`
	Relay        string `json:"relay"`
	Price        uint64 `json:"price,string"`
	Deposited    uint64 `json:"deposited,string"`
	Balance      uint64 `json:"balance,string"`
	Paid         uint64 `json:"paid,string"`
	Refunded     uint64 `json:"refunded,string"`
	Bytes        uint64 `json:"bytes,string"`
	TicketNonce  uint64 `json:"ticket_nonce,string"`
	CloseHeight  int64  `json:"close_height,string"`
	OpenedHeight int64  `json:"opened_height,string"`
	Take         uint64 `json:"take,string"`
	Generation   uint64 `json:"generation,string"`
}

func viewRelay(r *relayv1.Relay) RelayView {
	return RelayView{Address: addr(r.Address).String(), HostURI: r.HostUri, Bytes: r.Bytes, Earned: r.Earned, TicketsWon: r.TicketsWon}
}

func viewChannel(c *relayv1.Channel) ChannelView {
	return ChannelView{Consumer: addr(c.Consumer).String(), Relay: addr(c.Relay).String(), Price: c.Price, Deposited: c.Deposited,
		Balance: c.Balance, Paid: c.Paid, Refunded: c.Refunded, Bytes: c.Bytes, TicketNonce: c.TicketNonce,
		CloseHeight: c.CloseHeight, OpenedHeight: c.OpenedHeight, Take: c.Take, Generation: c.Generation}
}

const maxList = 1_000

// Queries registers the module's read-only queries:
//
//	relay/relays                        relays
//	relay/relays/{address}              a relay
//	relay/channels?consumer=&relay=     channels (the latest paid receipt's bytes)
//	relay/channels/{consumer}/{relay}   one channel
//	relay/bytes/{epoch}                 bytes paid per relay in an epoch
func Queries(rt *ledger.QueryRouter) {
	rt.Add("relay/relays", func(q *ledger.Query) (any, *ledger.QueryError) {
		out := []RelayView{}
		ledger.IteratePrefix(q.Store, key(tagRelay), func(_, v []byte) bool {
			r := new(relayv1.Relay)
			ledger.DecodeState(v, r)
			out = append(out, viewRelay(r))
			return len(out) < maxList
		})
		return map[string]any{"relays": out}, nil
	})
	rt.Add("relay/relays/{address}", func(q *ledger.Query) (any, *ledger.QueryError) {
		a, err := ledger.ParseAddress(q.Vars[0])
		if err != nil {
			return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "%v", err)
		}
		r, ok := GetRelay(q.Store, a)
		if !ok {
			return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no relay %s", a)
		}
		return viewRelay(r), nil
	})
	rt.Add("relay/channels", func(q *ledger.Query) (any, *ledger.QueryError) {
		var consumer, relay *ledger.Address
		for _, arg := range []struct {
			name string
			p    **ledger.Address
		}{{"consumer", &consumer}, {"relay", &relay}} {
			if s := q.Arg(arg.name); s != "" {
				a, err := ledger.ParseAddress(s)
				if err != nil {
					return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "%s: %v", arg.name, err)
				}
				*arg.p = &a
			}
		}
		pfx := key(tagChannel)
		if consumer != nil {
			pfx = key(tagChannel, consumer[:])
		}
		out := []ChannelView{}
		ledger.IteratePrefix(q.Store, pfx, func(_, v []byte) bool {
			c := new(relayv1.Channel)
			ledger.DecodeState(v, c)
			if relay == nil || addr(c.Relay) == *relay {
				out = append(out, viewChannel(c))
			}
			return len(out) < maxList
		})
		return map[string]any{"channels": out}, nil
	})
	rt.Add("relay/channels/{consumer}/{relay}", func(q *ledger.Query) (any, *ledger.QueryError) {
		c, err1 := ledger.ParseAddress(q.Vars[0])
		r, err2 := ledger.ParseAddress(q.Vars[1])
		if err1 != nil || err2 != nil {
			return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "consumer and relay must be addresses")
		}
		ch, ok := GetChannel(q.Store, c, r)
		if !ok {
			return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no channel of %s with %s", c, r)
		}
		return viewChannel(ch), nil
	})
	rt.Add("relay/bytes/{epoch}", func(q *ledger.Query) (any, *ledger.QueryError) {
		ep, err := strconv.ParseUint(q.Vars[0], 10, 64)
		if err != nil {
			return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "epoch %q is not a number", q.Vars[0])
		}
		all, total, _ := EpochAll(q.Store, ep)
		out := []map[string]string{}
		var bytes uint64
		for _, r := range all {
			if b, ok := ledger.Add(bytes, r.Bytes); ok {
				bytes = b
			}
			out = append(out, map[string]string{"relay": r.Relay.String(), "bytes": strconv.FormatUint(r.Bytes, 10), "paid": strconv.FormatUint(r.Paid, 10)})
		}
		return map[string]any{"epoch": strconv.FormatUint(ep, 10), "total": strconv.FormatUint(bytes, 10), "total_paid": strconv.FormatUint(total, 10), "relays": out}, nil
	})
}
