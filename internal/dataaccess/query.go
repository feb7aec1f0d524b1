package dataaccess

import (
	"encoding/hex"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

// Queries registers the module's read-only queries:
//
//	data/grants/{id}              one grant
//	data/devices/{device}/grants  a device's grants
//	data/grantees/{address}/grants a grantee's grants
func Queries(rt *ledger.QueryRouter) {
	rt.Add("data/grants/{id}", queryGrant)
	rt.Add("data/devices/{device}/grants", queryDevice)
	rt.Add("data/grantees/{address}/grants", queryGrantee)
}

// GrantView is a grant in JSON.
type GrantView struct {
	ID            uint64   `json:"id,string"`
	Device        string   `json:"device"`
	Owner         string   `json:"owner"`
	Grantee       string   `json:"grantee"`
	Channels      []string `json:"channels"`
	NotBefore     int64    `json:"not_before,string"`
	NotAfter      int64    `json:"not_after,string"`
	Price         uint64   `json:"price,string"`
	Status        string   `json:"status"`
	CreatedHeight int64    `json:"created_height,string"`
	OwnerReceived uint64   `json:"owner_received,string"`
	Refunded      uint64   `json:"refunded,string"`
}

// View returns a grant's JSON view.
func View(g *datav1.Grant) GrantView {
	a := func(b []byte) string {
		x, err := ledger.AddressFromBytes(b)
		if err != nil {
			return hex.EncodeToString(b)
		}
		return x.String()
	}
	ch := g.Channels
	if ch == nil {
		ch = []string{}
	}
	return GrantView{ID: g.Id, Device: a(g.Device), Owner: a(g.Owner), Grantee: a(g.Grantee), Channels: ch,
		NotBefore: g.NotBefore, NotAfter: g.NotAfter, Price: g.Price, Status: statusName(g.Status), CreatedHeight: g.CreatedHeight,
		OwnerReceived: g.OwnerReceived, Refunded: g.Refunded}
}

func views(gs []*datav1.Grant) []GrantView {
	out := make([]GrantView, len(gs))
	for i, g := range gs {
		out[i] = View(g)
	}
	return out
}

func queryGrant(q *ledger.Query) (any, *ledger.QueryError) {
	id, err := strconv.ParseUint(q.Vars[0], 10, 64)
	if err != nil {
		return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "grant id %q is not a number", q.Vars[0])
	}
	g, ok := GetGrant(q.Store, id)
	if !ok {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no grant %d", id)
	}
	return View(g), nil
}

func addrVar(q *ledger.Query) (ledger.Address, *ledger.QueryError) {
	a, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return a, ledger.QueryErrorf(ledger.QueryBadRequest, "%q is not an address", q.Vars[0])
	}
	return a, nil
}

func queryDevice(q *ledger.Query) (any, *ledger.QueryError) {
	a, e := addrVar(q)
	if e != nil {
		return nil, e
	}
	return views(DeviceGrants(q.Store, a)), nil
}

func queryGrantee(q *ledger.Query) (any, *ledger.QueryError) {
	a, e := addrVar(q)
	if e != nil {
		return nil, e
	}
	return views(GranteeGrants(q.Store, a)), nil
}
