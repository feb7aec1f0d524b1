package market

import (
	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// JSON views of the market's records, as queries answer them: addresses in
// bech32, every 64-bit integer a decimal string (the query package's
// conventions), states and close reasons by name. The CLI and Go clients
// decode these.

// AttributeView is a key-value attribute.
type AttributeView struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ProviderView is a provider with its attestations.
type ProviderView struct {
	Owner         string            `json:"owner"`
	HostURI       string            `json:"host_uri"`
	Attributes    []AttributeView   `json:"attributes"`
	CreatedHeight int64             `json:"created_height,string"`
	Leases        uint64            `json:"leases,string"`
	CreditsEarned uint64            `json:"credits_earned,string"`
	Attestations  []AttestationView `json:"attestations,omitempty"`
}

// AttestationView is an auditor's attestation.
type AttestationView struct {
	Auditor    string          `json:"auditor"`
	Attributes []AttributeView `json:"attributes"`
	Height     int64           `json:"height,string"`
}

// RequirementsView is an order's requirements.
type RequirementsView struct {
	Attributes []AttributeView `json:"attributes"`
	AllOf      []string        `json:"all_of,omitempty"`
	AnyOf      []string        `json:"any_of,omitempty"`
}

// OrderView is an order.
type OrderView struct {
	ID            uint64           `json:"id,string"`
	Owner         string           `json:"owner"`
	Kind          string           `json:"kind"`
	Quantity      uint64           `json:"quantity,string"`
	Requirements  RequirementsView `json:"requirements"`
	MaxPrice      uint64           `json:"max_price,string"`
	Duration      uint64           `json:"duration,string"`
	Deposit       uint64           `json:"deposit,string"`
	State         string           `json:"state"`
	CreatedHeight int64            `json:"created_height,string"`
	Bids          uint32           `json:"bids"`
	Lease         uint64           `json:"lease,string"`
}

// BidView is a bid.
type BidView struct {
	Order         uint64 `json:"order,string"`
	Provider      string `json:"provider"`
	Price         uint64 `json:"price,string"`
	Collateral    uint64 `json:"collateral,string"`
	State         string `json:"state"`
	CreatedHeight int64  `json:"created_height,string"`
	ExpiresHeight int64  `json:"expires_height,string"`
}

// DepositorView is one deposit into a lease.
type DepositorView struct {
	Address   string `json:"address"`
	Amount    uint64 `json:"amount,string"`
	Remaining uint64 `json:"remaining,string"`
}

// LeaseView is a lease with its escrow.
type LeaseView struct {
	ID            uint64          `json:"id,string"`
	Order         uint64          `json:"order,string"`
	Owner         string          `json:"owner"`
	Provider      string          `json:"provider"`
	Kind          string          `json:"kind"`
	Quantity      uint64          `json:"quantity,string"`
	Price         uint64          `json:"price,string"`
	Rate          uint64          `json:"rate,string"`
	StartHeight   int64           `json:"start_height,string"`
	EndHeight     int64           `json:"end_height,string"`
	SettledHeight int64           `json:"settled_height,string"`
	NextDue       int64           `json:"next_due,string"`
	State         string          `json:"state"`
	Balance       uint64          `json:"balance,string"`
	Deposited     uint64          `json:"deposited,string"`
	Paid          uint64          `json:"paid,string"`
	Take          uint64          `json:"take,string"`
	Refunded      uint64          `json:"refunded,string"`
	Collateral    uint64          `json:"collateral,string"`
	Depositors    []DepositorView `json:"depositors"`
	CloseReason   string          `json:"close_reason,omitempty"`
	CloseCode     uint32          `json:"close_code,omitempty"`
	ClosedHeight  int64           `json:"closed_height,string,omitempty"`
}

func attrsView(as []*marketv1.Attribute) []AttributeView {
	out := make([]AttributeView, len(as))
	for i, a := range as {
		out[i] = AttributeView{Key: a.Key, Value: a.Value}
	}
	return out
}

func addrs(bs [][]byte) []string {
	var out []string
	for _, b := range bs {
		out = append(out, addr(b).String())
	}
	return out
}

// ViewProvider renders a provider.
func ViewProvider(st ledger.Store, p *marketv1.Provider, withAttestations bool) ProviderView {
	owner := addr(p.Owner)
	v := ProviderView{Owner: owner.String(), HostURI: p.HostUri, Attributes: attrsView(p.Attributes),
		CreatedHeight: p.CreatedHeight, Leases: p.Leases, CreditsEarned: Earned(st, owner)}
	if withAttestations {
		for _, a := range Attestations(st, owner) {
			v.Attestations = append(v.Attestations, AttestationView{Auditor: addr(a.Auditor).String(), Attributes: attrsView(a.Attributes), Height: a.Height})
		}
	}
	return v
}

// ViewOrder renders an order.
func ViewOrder(o *marketv1.Order) OrderView {
	req := RequirementsView{Attributes: []AttributeView{}}
	if r := o.Requirements; r != nil {
		req = RequirementsView{Attributes: attrsView(r.Attributes), AllOf: addrs(r.AllOf), AnyOf: addrs(r.AnyOf)}
	}
	return OrderView{ID: o.Id, Owner: addr(o.Owner).String(), Kind: o.Kind, Quantity: o.Quantity, Requirements: req,
		MaxPrice: o.MaxPrice, Duration: o.Duration, Deposit: o.Deposit, State: stateName(o.State),
		CreatedHeight: o.CreatedHeight, Bids: o.Bids, Lease: o.Lease}
}

// BidStateName names a bid state.
func BidStateName(s marketv1.BidState) string {
	switch s {
	case marketv1.BidState_BID_STATE_OPEN:
		return "open"
	case marketv1.BidState_BID_STATE_ACTIVE:
		return "active"
	case marketv1.BidState_BID_STATE_LOST:
		return "lost"
	case marketv1.BidState_BID_STATE_CLOSED:
		return "closed"
	}
	return "unknown"
}

// ViewBid renders a bid.
func ViewBid(b *marketv1.Bid) BidView {
	return BidView{Order: b.Order, Provider: addr(b.Provider).String(), Price: b.Price, Collateral: b.Collateral,
		State: BidStateName(b.State), CreatedHeight: b.CreatedHeight, ExpiresHeight: b.ExpiresHeight}
}

// ViewLease renders a lease.
func ViewLease(l *marketv1.Lease) LeaseView {
	v := LeaseView{ID: l.Id, Order: l.Order, Owner: addr(l.Owner).String(), Provider: addr(l.Provider).String(), Kind: l.Kind,
		Quantity: l.Quantity, Price: l.Price, Rate: l.Rate, StartHeight: l.StartHeight, EndHeight: l.EndHeight,
		SettledHeight: l.SettledHeight, NextDue: l.NextDue, State: "active", Balance: l.Balance, Deposited: l.Deposited,
		Paid: l.Paid, Take: l.Take, Refunded: l.Refunded, Collateral: l.Collateral}
	for _, d := range l.Depositors {
		v.Depositors = append(v.Depositors, DepositorView{Address: addr(d.Address).String(), Amount: d.Amount, Remaining: d.Remaining})
	}
	if l.State == marketv1.LeaseState_LEASE_STATE_CLOSED {
		v.State, v.CloseReason, v.CloseCode, v.ClosedHeight = "closed", ReasonName(l.CloseReason), l.CloseReason, l.ClosedHeight
	}
	return v
}
