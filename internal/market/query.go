package market

import (
	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Page limits of the list queries.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// scanFactor bounds the entries a filtered page may visit (limit ×
	// scanFactor), so a query's cost is bounded even when few entries
	// match; the page then ends early with a next key.
	scanFactor = 16
)

// Page selects one page of a list: Key is the opaque next key returned by
// the previous page (nil for the first), Limit the most items (DefaultLimit
// if 0 or less, at most MaxLimit).
type Page struct {
	Key   []byte
	Limit int
}

// scan visits the entries under pfx from the page's key; visit reports
// whether it took the entry. It returns the next page's key, nil at the end.
func scan(st ledger.Store, pfx []byte, page Page, visit func(k, v []byte) bool) []byte {
	limit := page.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	start := append(append([]byte(nil), pfx...), page.Key...)
	taken, seen := 0, 0
	var next []byte
	st.Iterate(start, ledger.PrefixEnd(pfx), func(k, v []byte) bool {
		if taken == limit || seen == limit*scanFactor {
			next = append([]byte(nil), k[len(pfx):]...)
			return false
		}
		seen++
		if visit(k, v) {
			taken++
		}
		return true
	})
	return next
}

// ListProviders lists providers in address order.
func ListProviders(st ledger.Store, page Page) ([]*marketv1.Provider, []byte) {
	var out []*marketv1.Provider
	next := scan(st, key(tagProvider), page, func(_, v []byte) bool {
		p := new(marketv1.Provider)
		decodeState(v, p)
		out = append(out, p)
		return true
	})
	return out, next
}

// Attestations lists the attestations of a provider in auditor order.
func Attestations(st ledger.Store, prov ledger.Address) []*marketv1.Attestation {
	var out []*marketv1.Attestation
	ledger.IteratePrefix(st, key(tagAttestation, prov[:]), func(_, v []byte) bool {
		a := new(marketv1.Attestation)
		decodeState(v, a)
		out = append(out, a)
		return true
	})
	return out
}

// OrderFilter narrows ListOrders; zero fields do not filter.
type OrderFilter struct {
	Owner *ledger.Address
	State marketv1.OrderState
}

// ListOrders lists orders in id order; open orders come from their index,
// so listing them costs what they are, not what was ever ordered.
func ListOrders(st ledger.Store, f OrderFilter, page Page) ([]*marketv1.Order, []byte) {
	pfx, indexed := key(tagOrder), f.State == marketv1.OrderState_ORDER_STATE_OPEN
	if indexed {
		pfx = key(tagOpenOrder)
	}
	var out []*marketv1.Order
	next := scan(st, pfx, page, func(k, v []byte) bool {
		o := new(marketv1.Order)
		if indexed {
			var ok bool
			if o, ok = GetOrder(st, ledger.ReadU64(k[len(k)-8:])); !ok {
				panic("market: open-order index names a missing order")
			}
		} else {
			decodeState(v, o)
		}
		if (f.Owner != nil && string(o.Owner) != string(f.Owner[:])) || (f.State != 0 && o.State != f.State) {
			return false
		}
		out = append(out, o)
		return true
	})
	return out, next
}

// BidFilter narrows ListBids; zero fields do not filter.
type BidFilter struct {
	Order    uint64
	Provider *ledger.Address
	State    marketv1.BidState
}

// ListBids lists bids in (order, provider) order; with an order, only its
// bids are visited.
func ListBids(st ledger.Store, f BidFilter, page Page) ([]*marketv1.Bid, []byte) {
	pfx := key(tagBid)
	if f.Order != 0 {
		pfx = key(tagBid, ledger.U64(f.Order))
	}
	var out []*marketv1.Bid
	next := scan(st, pfx, page, func(_, v []byte) bool {
		b := new(marketv1.Bid)
		decodeState(v, b)
		if (f.Provider != nil && string(b.Provider) != string(f.Provider[:])) || (f.State != 0 && b.State != f.State) {
			return false
		}
		out = append(out, b)
		return true
	})
	return out, next
}

// LeaseFilter narrows ListLeases; zero fields do not filter. Owner or
// Provider selects through an index.
type LeaseFilter struct {
	Owner    *ledger.Address
	Provider *ledger.Address
	State    marketv1.LeaseState
}

// ListLeases lists leases in id order (within an owner's or provider's).
func ListLeases(st ledger.Store, f LeaseFilter, page Page) ([]*marketv1.Lease, []byte) {
	pfx, indexed := key(tagLease), false
	switch {
	case f.Owner != nil:
		pfx, indexed = key(tagOwnerLease, f.Owner[:]), true
	case f.Provider != nil:
		pfx, indexed = key(tagProvLease, f.Provider[:]), true
	}
	var out []*marketv1.Lease
	next := scan(st, pfx, page, func(k, v []byte) bool {
		l := new(marketv1.Lease)
		if indexed {
			var ok bool
			if l, ok = GetLease(st, ledger.ReadU64(k[len(k)-8:])); !ok {
				panic("market: lease index names a missing lease")
			}
		} else {
			decodeState(v, l)
		}
		if (f.Owner != nil && string(l.Owner) != string(f.Owner[:])) || (f.Provider != nil && string(l.Provider) != string(f.Provider[:])) ||
			(f.State != 0 && l.State != f.State) {
			return false
		}
		out = append(out, l)
		return true
	})
	return out, next
}

// DueAt lists the ids of the leases the sweep settles at a height.
func DueAt(st ledger.Store, height int64) []uint64 {
	var out []uint64
	ledger.IteratePrefix(st, key(tagDue, ledger.U64(uint64(height))), func(k, _ []byte) bool {
		out = append(out, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	return out
}
