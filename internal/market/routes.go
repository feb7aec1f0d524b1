package market

import (
	"encoding/hex"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Queries registers the market's read-only queries (JSON views, see
// view.go; lists take "limit" and "page_key" and answer "next_page_key"):
//
//	market/providers                 providers
//	market/providers/{address}       a provider with its attestations
//	market/auditors                  the auditor set
//	market/orders                    orders (?owner=, ?state=open|active|closed)
//	market/orders/{id}               an order
//	market/bids                      bids (?order=, ?provider=, ?state=)
//	market/leases                    leases (?owner=, ?provider=, ?state=active|closed)
//	market/leases/{id}               a lease
//	market/usage/{epoch}             credits spent per provider in an epoch, not yet paid
//	market/nonces/{payer}/{provider} the last receipt nonce paid from payer to provider
func Queries(rt *ledger.QueryRouter) {
	rt.Add("market/providers", queryProviders)
	rt.Add("market/providers/{address}", queryProvider)
	rt.Add("market/auditors", queryAuditors)
	rt.Add("market/orders", queryOrders)
	rt.Add("market/orders/{id}", queryOrder)
	rt.Add("market/bids", queryBids)
	rt.Add("market/leases", queryLeases)
	rt.Add("market/leases/{id}", queryLease)
	rt.Add("market/usage/{epoch}", queryUsage)
	rt.Add("market/nonces/{payer}/{provider}", queryNonce)
}

// NonceView is the last receipt nonce paid from a payer to a provider (0
// before any): a receipt must carry a higher one.
type NonceView struct {
	Payer     string `json:"payer"`
	Provider  string `json:"provider"`
	LastNonce uint64 `json:"last_nonce,string"`
}

func queryNonce(q *ledger.Query) (any, *ledger.QueryError) {
	payer, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, badRequest("payer: %v", err)
	}
	prov, err := ledger.ParseAddress(q.Vars[1])
	if err != nil {
		return nil, badRequest("provider: %v", err)
	}
	return NonceView{Payer: payer.String(), Provider: prov.String(), LastNonce: LastNonce(q.Store, payer, prov)}, nil
}

func badRequest(format string, args ...any) *ledger.QueryError {
	return ledger.QueryErrorf(ledger.QueryBadRequest, format, args...)
}

func notFound(format string, args ...any) *ledger.QueryError {
	return ledger.QueryErrorf(ledger.QueryNotFound, format, args...)
}

// pageOf reads "limit" and "page_key".
func pageOf(q *ledger.Query) (Page, *ledger.QueryError) {
	var p Page
	if s := q.Arg("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return p, badRequest("limit %q must be a number from 1 to %d", s, MaxLimit)
		}
		p.Limit = n
	}
	if s := q.Arg("page_key"); s != "" {
		k, err := hex.DecodeString(s)
		if err != nil || len(k) > 64 {
			return p, badRequest("page_key %q is not a page key this node returned", s)
		}
		p.Key = k
	}
	return p, nil
}

func nextKey(k []byte) string {
	if k == nil {
		return ""
	}
	return hex.EncodeToString(k)
}

func addrArg(q *ledger.Query, name string) (*ledger.Address, *ledger.QueryError) {
	s := q.Arg(name)
	if s == "" {
		return nil, nil
	}
	a, err := ledger.ParseAddress(s)
	if err != nil {
		return nil, badRequest("%s: %v", name, err)
	}
	return &a, nil
}

func idOf(what, s string) (uint64, *ledger.QueryError) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, badRequest("%s id %q is not a positive number", what, s)
	}
	return n, nil
}

// ProvidersPage is a page of providers.
type ProvidersPage struct {
	Providers   []ProviderView `json:"providers"`
	NextPageKey string         `json:"next_page_key,omitempty"`
}

func queryProviders(q *ledger.Query) (any, *ledger.QueryError) {
	page, e := pageOf(q)
	if e != nil {
		return nil, e
	}
	ps, next := ListProviders(q.Store, page)
	out := ProvidersPage{Providers: []ProviderView{}, NextPageKey: nextKey(next)}
	for _, p := range ps {
		out.Providers = append(out.Providers, ViewProvider(q.Store, p, false))
	}
	return out, nil
}

func queryProvider(q *ledger.Query) (any, *ledger.QueryError) {
	a, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, badRequest("%v", err)
	}
	p, ok := GetProvider(q.Store, a)
	if !ok {
		return nil, notFound("no provider %s", a)
	}
	return ViewProvider(q.Store, p, true), nil
}

func queryAuditors(q *ledger.Query) (any, *ledger.QueryError) {
	out := struct {
		Auditors []string `json:"auditors"`
	}{Auditors: []string{}}
	for _, a := range Auditors(q.Store) {
		out.Auditors = append(out.Auditors, a.String())
	}
	return out, nil
}

// OrdersPage is a page of orders.
type OrdersPage struct {
	Orders      []OrderView `json:"orders"`
	NextPageKey string      `json:"next_page_key,omitempty"`
}

func queryOrders(q *ledger.Query) (any, *ledger.QueryError) {
	page, e := pageOf(q)
	if e != nil {
		return nil, e
	}
	var f OrderFilter
	if f.Owner, e = addrArg(q, "owner"); e != nil {
		return nil, e
	}
	switch s := q.Arg("state"); s {
	case "":
	case "open", "active", "closed":
		f.State = map[string]marketv1.OrderState{"open": marketv1.OrderState_ORDER_STATE_OPEN,
			"active": marketv1.OrderState_ORDER_STATE_ACTIVE, "closed": marketv1.OrderState_ORDER_STATE_CLOSED}[s]
	default:
		return nil, badRequest("state %q is not open, active or closed", s)
	}
	os, next := ListOrders(q.Store, f, page)
	out := OrdersPage{Orders: []OrderView{}, NextPageKey: nextKey(next)}
	for _, o := range os {
		out.Orders = append(out.Orders, ViewOrder(o))
	}
	return out, nil
}

func queryOrder(q *ledger.Query) (any, *ledger.QueryError) {
	id, e := idOf("order", q.Vars[0])
	if e != nil {
		return nil, e
	}
	o, ok := GetOrder(q.Store, id)
	if !ok {
		return nil, notFound("no order %d", id)
	}
	return ViewOrder(o), nil
}

// BidsPage is a page of bids.
type BidsPage struct {
	Bids        []BidView `json:"bids"`
	NextPageKey string    `json:"next_page_key,omitempty"`
}

func queryBids(q *ledger.Query) (any, *ledger.QueryError) {
	page, e := pageOf(q)
	if e != nil {
		return nil, e
	}
	var f BidFilter
	if s := q.Arg("order"); s != "" {
		if f.Order, e = idOf("order", s); e != nil {
			return nil, e
		}
	}
	if f.Provider, e = addrArg(q, "provider"); e != nil {
		return nil, e
	}
	if s := q.Arg("state"); s != "" {
		for st := marketv1.BidState_BID_STATE_OPEN; st <= marketv1.BidState_BID_STATE_CLOSED; st++ {
			if BidStateName(st) == s {
				f.State = st
			}
		}
		if f.State == 0 {
			return nil, badRequest("state %q is not open, active, lost or closed", s)
		}
	}
	bs, next := ListBids(q.Store, f, page)
	out := BidsPage{Bids: []BidView{}, NextPageKey: nextKey(next)}
	for _, b := range bs {
		out.Bids = append(out.Bids, ViewBid(b))
	}
	return out, nil
}

// LeasesPage is a page of leases.
type LeasesPage struct {
	Leases      []LeaseView `json:"leases"`
	NextPageKey string      `json:"next_page_key,omitempty"`
}

func queryLeases(q *ledger.Query) (any, *ledger.QueryError) {
	page, e := pageOf(q)
	if e != nil {
		return nil, e
	}
	var f LeaseFilter
	if f.Owner, e = addrArg(q, "owner"); e != nil {
		return nil, e
	}
	if f.Provider, e = addrArg(q, "provider"); e != nil {
		return nil, e
	}
	switch s := q.Arg("state"); s {
	case "":
	case "active":
		f.State = marketv1.LeaseState_LEASE_STATE_ACTIVE
	case "closed":
		f.State = marketv1.LeaseState_LEASE_STATE_CLOSED
	default:
		return nil, badRequest("state %q is not active or closed", s)
	}
	ls, next := ListLeases(q.Store, f, page)
	out := LeasesPage{Leases: []LeaseView{}, NextPageKey: nextKey(next)}
	for _, l := range ls {
		out.Leases = append(out.Leases, ViewLease(l))
	}
	return out, nil
}

func queryLease(q *ledger.Query) (any, *ledger.QueryError) {
	id, e := idOf("lease", q.Vars[0])
	if e != nil {
		return nil, e
	}
	l, ok := GetLease(q.Store, id)
	if !ok {
		return nil, notFound("no lease %d", id)
	}
	return ViewLease(l), nil
}

// UsageView is the credits spent with each provider in an epoch.
type UsageView struct {
	Epoch     uint64              `json:"epoch,string"`
	Total     uint64              `json:"total,string"`
	Providers []ProviderUsageView `json:"providers"`
}

// ProviderUsageView is one provider's credits in UsageView.
type ProviderUsageView struct {
	Provider string `json:"provider"`
	Credits  uint64 `json:"credits,string"`
}

func queryUsage(q *ledger.Query) (any, *ledger.QueryError) {
	n, err := strconv.ParseUint(q.Vars[0], 10, 64)
	if err != nil {
		return nil, badRequest("epoch %q is not a number", q.Vars[0])
	}
	us, total := EpochUsage(q.Store, n)
	out := UsageView{Epoch: n, Total: total, Providers: []ProviderUsageView{}}
	for _, u := range us {
		out.Providers = append(out.Providers, ProviderUsageView{Provider: u.Provider.String(), Credits: u.Credits})
	}
	return out, nil
}
