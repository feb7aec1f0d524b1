package credit

import (
	"github.com/depin-network/depin/internal/ledger"
)

// View is an account's credits with the module's totals, as the
// credits/{address} query answers it (64-bit integers as decimal strings).
type View struct {
	Address           string `json:"address"`
	Credits           uint64 `json:"credits,string"`
	Outstanding       uint64 `json:"outstanding,string"`
	Bought            uint64 `json:"bought,string"`
	Spent             uint64 `json:"spent,string"`
	BurnedUpin        uint64 `json:"burned_upin,string"`
	PendingRemintUpin uint64 `json:"pending_remint_upin,string"`
	RemintedUpin      uint64 `json:"reminted_upin,string"`
}

// Queries registers credits/{address}.
func Queries(rt *ledger.QueryRouter) {
	rt.Add("credits/{address}", func(q *ledger.Query) (any, *ledger.QueryError) {
		a, err := ledger.ParseAddress(q.Vars[0])
		if err != nil {
			return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "%v", err)
		}
		t := GetTotals(q.Store)
		return View{Address: a.String(), Credits: Balance(q.Store, a), Outstanding: t.Outstanding, Bought: t.Bought,
			Spent: t.Spent, BurnedUpin: t.BurnedUpin, PendingRemintUpin: t.PendingRemintUpin, RemintedUpin: t.RemintedUpin}, nil
	})
}
