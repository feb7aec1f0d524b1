package chain_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Market messages for the determinism generator. A market tx touches
// objects of two parties (an order's owner, a bid's provider); the other
// party is kept out of the block (g.used), so no tx of the block can change
// what the prediction relies on. Leases close by themselves only in end
// blocks, after every tx of the block.

func marketMsg(typ string, m proto.Message) msg { return msg{typ, mustMarshal(m)} }

// height is the height of the block being planned: one above committed
// state's.
func (g *gen) height() int64 {
	h, _ := g.st.(interface{ LastCommit() (int64, []byte) }).LastCommit()
	return h + 1
}

// claim marks another party as used in this block; false if it signed
// already.
func (g *gen) claim(a []byte) bool {
	addr, err := ledger.AddressFromBytes(a)
	if err != nil || g.used[addr] {
		return false
	}
	g.used[addr] = true
	return true
}

func (g *gen) isProvider(name string) bool {
	_, ok := market.GetProvider(g.st, addrFor(name))
	return ok
}

func (g *gen) orders(state marketv1.OrderState) []*marketv1.Order {
	os, _ := market.ListOrders(g.st, market.OrderFilter{State: state}, market.Page{Limit: market.MaxLimit})
	return os
}

func (g *gen) leases(f market.LeaseFilter) []*marketv1.Lease {
	ls, _ := market.ListLeases(g.st, f, market.Page{Limit: market.MaxLimit})
	return ls
}

func (g *gen) newOrder() *marketv1.MsgCreateOrder {
	min := params.Get(g.st, market.MinDeposit)
	return &marketv1.MsgCreateOrder{Kind: g.oneOf([]string{"compute", "storage", "relay"}), Quantity: uint64(1 + g.pick(4)),
		MaxPrice: uint64(100 + g.pick(2_000)), Duration: uint64(5 + g.pick(80)), Deposit: min + uint64(g.pick(2_000_000))}
}

// marketValid plans a market tx that must succeed, if one fits name. It
// moves the lifecycle on first (close an own lease now and then, accept a
// bid on an own order, bid on another's order), so that every step of it
// occurs in any run, then picks among the other messages.
func (g *gen) marketValid(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	me := addrFor(name)
	if g.chance(60) {
		for _, l := range g.leases(market.LeaseFilter{Owner: &me, State: marketv1.LeaseState_LEASE_STATE_ACTIVE}) {
			if g.claim(l.Provider) {
				return ok(market.TypeCloseLease, marketMsg(market.TypeCloseLease, &marketv1.MsgCloseLease{Lease: l.Id}))
			}
		}
	}
	for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
		if string(o.Owner) != string(me[:]) {
			continue
		}
		bids, _ := market.ListBids(g.st, market.BidFilter{Order: o.Id, State: marketv1.BidState_BID_STATE_OPEN}, market.Page{})
		for _, b := range bids {
			if b.ExpiresHeight >= g.height() && b.Price*o.Quantity <= o.Deposit && g.claim(b.Provider) {
				return ok(market.TypeAccept, marketMsg(market.TypeAccept, &marketv1.MsgAccept{Order: o.Id, Provider: b.Provider}))
			}
		}
	}
	if g.isProvider(name) && g.chance(60) {
		for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
			if _, bid := market.GetBid(g.st, o.Id, me); bid || string(o.Owner) == string(me[:]) ||
				uint64(o.Bids) >= params.Get(g.st, market.MaxBids) || !g.claim(o.Owner) {
				continue
			}
			return ok(market.TypeBid, marketMsg(market.TypeBid, &marketv1.MsgBid{Order: o.Id, Price: 1 + uint64(g.pick(int(o.MaxPrice))),
				Collateral: params.Get(g.st, market.MinCollateral)}))
		}
	}
	switch g.pick(6) {
	case 0:
		if !g.isProvider(name) {
			return ok(market.TypeCreateProvider, marketMsg(market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: "https://" + name + ".example"}))
		}
		// An update never changes whether a bid of the block matches: the
		// generator's orders require no attributes.
		return ok(market.TypeUpdateProvider, marketMsg(market.TypeUpdateProvider, &marketv1.MsgUpdateProvider{
			HostUri: fmt.Sprintf("https://%s.example/v%d", name, g.pick(100)), Attributes: []*marketv1.Attribute{{Key: "tier", Value: g.oneOf([]string{"a", "b"})}}}))
	case 1, 2:
		return ok(market.TypeCreateOrder, marketMsg(market.TypeCreateOrder, g.newOrder()))
	case 3:
		for _, l := range g.leases(market.LeaseFilter{State: marketv1.LeaseState_LEASE_STATE_ACTIVE}) {
			if g.used[addrOf(l.Owner)] || g.used[addrOf(l.Provider)] || addrOf(l.Owner) == me || addrOf(l.Provider) == me {
				continue
			}
			g.claim(l.Owner)
			g.claim(l.Provider)
			return ok(market.TypeDeposit, marketMsg(market.TypeDeposit, &marketv1.MsgDeposit{Lease: l.Id, Amount: uint64(1 + g.pick(1_000_000))}))
		}
		for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
			if string(o.Owner) == string(me[:]) {
				return ok(market.TypeCloseOrder, marketMsg(market.TypeCloseOrder, &marketv1.MsgCloseOrder{Order: o.Id}))
			}
		}
	case 4:
		return ok(credit.TypeBuy, marketMsg(credit.TypeBuy, &creditv1.MsgBuy{Credits: uint64(1 + g.pick(10_000))}))
	case 5:
		if g.isProvider(name) {
			payer := g.otherAccount(name)
			pa := addrFor(payer)
			h := g.height()
			r := market.SignReceipt(keyFor(payer), &marketv1.Receipt{ChainId: g.chainID, Payer: pa[:], Provider: me[:], Kind: "relay",
				PeriodStart: 1, PeriodEnd: h, Units: uint64(g.pick(1 << 20)), Credits: uint64(1 + g.pick(500)),
				Nonce: market.LastNonce(g.st, pa, me) + 1})
			return ok(market.TypeSubmitReceipts, marketMsg(market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{r}}))
		}
	}
	return planned{}, false
}

// marketInvalid plans a market tx that must be rejected, if one fits name.
func (g *gen) marketInvalid(name string) (planned, bool) {
	bad := func(label string, code ledger.Code, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: code, label: "bad:" + label}, true
	}
	me := addrFor(name)
	switch g.pick(6) {
	case 0:
		o := g.newOrder()
		o.Quantity, o.MaxPrice, o.Duration = 1<<21, 1<<21, 1<<22
		return bad("order_overflow", ledger.CodeOverflow, marketMsg(market.TypeCreateOrder, o))
	case 1:
		if g.isProvider(name) {
			for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
				if string(o.Owner) != string(me[:]) && g.claim(o.Owner) {
					return bad("price_above_max", market.CodePriceAboveMax, marketMsg(market.TypeBid, &marketv1.MsgBid{Order: o.Id, Price: o.MaxPrice + 1, Collateral: 1 << 40}))
				}
			}
		}
	case 2:
		for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
			bids, _ := market.ListBids(g.st, market.BidFilter{Order: o.Id}, market.Page{Limit: 1})
			if string(o.Owner) != string(me[:]) && len(bids) > 0 && g.claim(o.Owner) {
				return bad("accept_not_owner", ledger.CodeUnauthorized, marketMsg(market.TypeAccept, &marketv1.MsgAccept{Order: o.Id, Provider: bids[0].Provider}))
			}
		}
	case 3:
		for _, l := range g.leases(market.LeaseFilter{State: marketv1.LeaseState_LEASE_STATE_CLOSED}) {
			return bad("close_twice", market.CodeLeaseClosed, marketMsg(market.TypeCloseLease, &marketv1.MsgCloseLease{Lease: l.Id}))
		}
	case 5:
		for _, l := range g.leases(market.LeaseFilter{State: marketv1.LeaseState_LEASE_STATE_CLOSED}) {
			return bad("deposit_closed_lease", market.CodeLeaseClosed, marketMsg(market.TypeDeposit, &marketv1.MsgDeposit{Lease: l.Id, Amount: 1}))
		}
	case 4:
		payer := g.otherAccount(name)
		pa := addrFor(payer)
		r := market.SignReceipt(keyFor(payer), &marketv1.Receipt{ChainId: g.chainID, Payer: pa[:], Provider: me[:], Kind: "relay",
			PeriodStart: 1, PeriodEnd: 1, Credits: 1, Nonce: market.LastNonce(g.st, pa, me) + 1})
		r.Signature[0] ^= 1
		code := market.CodeForgedReceipt
		if !g.isProvider(name) {
			code = market.CodeUnknownProvider
		}
		return bad("forged_receipt", code, marketMsg(market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{r}}))
	}
	return planned{}, false
}

func addrOf(b []byte) ledger.Address {
	a, err := ledger.AddressFromBytes(b)
	if err != nil {
		panic(err)
	}
	return a
}
