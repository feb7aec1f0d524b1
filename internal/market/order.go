package market

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

func handleCreateOrder(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgCreateOrder
	if e := ledger.Unmarshal(TypeCreateOrder, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	if e := checkKind(m.Kind); e != nil {
		return e
	}
	if m.Quantity == 0 || m.MaxPrice == 0 || m.Duration == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "quantity, max price and duration must be positive")
	}
	if max := params.Get(st, MaxDuration); m.Duration > max {
		return ledger.Errorf(ledger.CodeTooLarge, "duration %d blocks, at most %d allowed", m.Duration, max)
	}
	rate, ok := mul(m.Quantity, m.MaxPrice)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "quantity %d × max price %d overflows", m.Quantity, m.MaxPrice)
	}
	if _, ok := mul(rate, m.Duration); !ok {
		return ledger.Errorf(ledger.CodeOverflow, "quantity %d × max price %d × duration %d overflows", m.Quantity, m.MaxPrice, m.Duration)
	}
	if min := params.Get(st, MinDeposit); m.Deposit < min {
		return ledger.Errorf(CodeDepositTooLow, "deposit %d upin below the minimum %d", m.Deposit, min)
	}
	req, e := checkRequirements(st, m.Requirements)
	if e != nil {
		return e
	}
	if e := move(ctx, ctx.Signer, Escrow, m.Deposit); e != nil {
		return e
	}
	o := &marketv1.Order{
		Id: nextID(st, 'o'), Owner: ctx.Signer[:], Kind: m.Kind, Quantity: m.Quantity, Requirements: req,
		MaxPrice: m.MaxPrice, Duration: m.Duration, Deposit: m.Deposit, State: marketv1.OrderState_ORDER_STATE_OPEN,
		CreatedHeight: ctx.Height,
	}
	putOrder(st, o)
	ctx.Emit("market.order", attr("order", u64(o.Id)), attr("owner", ctx.SignerString()), attr("kind", o.Kind),
		attr("quantity", u64(o.Quantity)), attr("max_price", u64(o.MaxPrice)), attr("duration", u64(o.Duration)),
		attr("deposit", u64(o.Deposit)))
	return nil
}

// mul returns a*b and false on overflow.
func mul(a, b uint64) (uint64, bool) { return ledger.MulDiv(a, b, 1) }

// openOrder loads an order that is still open.
func openOrder(st ledger.Store, id uint64) (*marketv1.Order, *ledger.Error) {
	o, ok := GetOrder(st, id)
	if !ok {
		return nil, ledger.Errorf(CodeUnknownOrder, "no order %d", id)
	}
	if o.State != marketv1.OrderState_ORDER_STATE_OPEN {
		return nil, ledger.Errorf(CodeOrderNotOpen, "order %d is %s", id, stateName(o.State))
	}
	return o, nil
}

func stateName(s marketv1.OrderState) string {
	switch s {
	case marketv1.OrderState_ORDER_STATE_OPEN:
		return "open"
	case marketv1.OrderState_ORDER_STATE_ACTIVE:
		return "active"
	case marketv1.OrderState_ORDER_STATE_CLOSED:
		return "closed"
	}
	return "unknown"
}

func handleCloseOrder(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgCloseOrder
	if e := ledger.Unmarshal(TypeCloseOrder, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	o, e := openOrder(st, m.Order)
	if e != nil {
		return e
	}
	if addr(o.Owner) != ctx.Signer {
		return ledger.Errorf(ledger.CodeUnauthorized, "signer %s does not own order %d", ctx.Signer, o.Id)
	}
	if e := move(ctx, Escrow, ctx.Signer, o.Deposit); e != nil {
		return e
	}
	if e := endBids(ctx, o.Id, nil); e != nil {
		return e
	}
	o.State = marketv1.OrderState_ORDER_STATE_CLOSED
	putOrder(st, o)
	ctx.Emit("market.order_closed", attr("order", u64(o.Id)), attr("refund", u64(o.Deposit)))
	return nil
}

// endBids refunds the collateral of every open bid on an order except the
// one of winner (nil: none), marking them lost (winner given) or closed.
func endBids(ctx *ledger.Context, order uint64, winner *ledger.Address) *ledger.Error {
	for _, b := range bidsOf(ctx.Store, order) {
		p := addr(b.Provider)
		if b.State != marketv1.BidState_BID_STATE_OPEN || (winner != nil && p == *winner) {
			continue
		}
		if e := move(ctx, Collateral, p, b.Collateral); e != nil {
			return e
		}
		b.State = marketv1.BidState_BID_STATE_CLOSED
		if winner != nil {
			b.State = marketv1.BidState_BID_STATE_LOST
		}
		putBid(ctx.Store, b)
		ctx.Emit("market.bid_ended", attr("order", u64(order)), attr("provider", p.String()), attr("refund", u64(b.Collateral)))
	}
	return nil
}

func handleBid(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgBid
	if e := ledger.Unmarshal(TypeBid, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	if m.Price == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "price must be positive")
	}
	p, ok := GetProvider(st, ctx.Signer)
	if !ok {
		return ledger.Errorf(CodeUnknownProvider, "%s is not a provider", ctx.Signer)
	}
	o, e := openOrder(st, m.Order)
	if e != nil {
		return e
	}
	if m.Price > o.MaxPrice {
		return ledger.Errorf(CodePriceAboveMax, "price %d above order %d's maximum %d", m.Price, o.Id, o.MaxPrice)
	}
	if min := params.Get(st, MinCollateral); m.Collateral < min {
		return ledger.Errorf(CodeCollateralTooLow, "collateral %d upin below the minimum %d", m.Collateral, min)
	}
	if _, ok := GetBid(st, o.Id, ctx.Signer); ok {
		return ledger.Errorf(CodeBidExists, "%s bid on order %d already", ctx.Signer, o.Id)
	}
	if max := params.Get(st, MaxBids); uint64(o.Bids) >= max {
		return ledger.Errorf(CodeTooManyBids, "order %d has %d bids, at most %d allowed", o.Id, o.Bids, max)
	}
	if e := matches(st, p, o.Requirements); e != nil {
		return e
	}
	if e := move(ctx, ctx.Signer, Collateral, m.Collateral); e != nil {
		return e
	}
	timeout := int64(params.Get(st, BidTimeout))
	putBid(st, &marketv1.Bid{Order: o.Id, Provider: ctx.Signer[:], Price: m.Price, Collateral: m.Collateral,
		State: marketv1.BidState_BID_STATE_OPEN, CreatedHeight: ctx.Height, ExpiresHeight: ctx.Height + timeout})
	o.Bids++
	putOrder(st, o)
	ctx.Emit("market.bid", attr("order", u64(o.Id)), attr("provider", ctx.SignerString()),
		attr("price", u64(m.Price)), attr("collateral", u64(m.Collateral)))
	return nil
}

func handleCloseBid(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgCloseBid
	if e := ledger.Unmarshal(TypeCloseBid, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	b, ok := GetBid(st, m.Order, ctx.Signer)
	if !ok {
		return ledger.Errorf(CodeUnknownBid, "no bid by %s on order %d", ctx.Signer, m.Order)
	}
	if b.State != marketv1.BidState_BID_STATE_OPEN {
		return ledger.Errorf(CodeBidNotOpen, "the bid of %s on order %d is not open", ctx.Signer, m.Order)
	}
	if e := move(ctx, Collateral, ctx.Signer, b.Collateral); e != nil {
		return e
	}
	b.State = marketv1.BidState_BID_STATE_CLOSED
	putBid(st, b)
	ctx.Emit("market.bid_ended", attr("order", u64(m.Order)), attr("provider", ctx.SignerString()), attr("refund", u64(b.Collateral)))
	return nil
}

func handleAccept(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgAccept
	if e := ledger.Unmarshal(TypeAccept, raw, &m); e != nil {
		return e
	}
	prov, err := ledger.AddressFromBytes(m.Provider)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "provider: %v", err)
	}
	st := ctx.Store
	o, e := openOrder(st, m.Order)
	if e != nil {
		return e
	}
	if addr(o.Owner) != ctx.Signer {
		return ledger.Errorf(ledger.CodeUnauthorized, "signer %s does not own order %d", ctx.Signer, o.Id)
	}
	b, ok := GetBid(st, o.Id, prov)
	if !ok {
		return ledger.Errorf(CodeUnknownBid, "no bid by %s on order %d", prov, o.Id)
	}
	if b.State != marketv1.BidState_BID_STATE_OPEN {
		return ledger.Errorf(CodeBidNotOpen, "the bid of %s on order %d is not open", prov, o.Id)
	}
	if ctx.Height > b.ExpiresHeight {
		return ledger.Errorf(CodeBidExpired, "the bid of %s on order %d expired at height %d", prov, o.Id, b.ExpiresHeight)
	}
	rate, _ := mul(b.Price, o.Quantity) // price <= max price, checked at order creation
	if o.Deposit < rate {
		return ledger.Errorf(CodeDepositTooLow, "deposit %d upin cannot pay one block at %d upin", o.Deposit, rate)
	}
	p, ok := GetProvider(st, prov)
	if !ok {
		return ledger.Errorf(CodeUnknownProvider, "no provider %s", prov)
	}
	l := &marketv1.Lease{
		Id: nextID(st, 'l'), Order: o.Id, Owner: o.Owner, Provider: prov[:], Kind: o.Kind, Quantity: o.Quantity,
		Price: b.Price, Rate: rate, StartHeight: ctx.Height, EndHeight: ctx.Height + int64(o.Duration),
		SettledHeight: ctx.Height, State: marketv1.LeaseState_LEASE_STATE_ACTIVE, Balance: o.Deposit, Deposited: o.Deposit,
		Depositors: []*marketv1.Depositor{{Address: o.Owner, Amount: o.Deposit, Remaining: o.Deposit}},
		Collateral: b.Collateral,
	}
	if e := endBids(ctx, o.Id, &prov); e != nil {
		return e
	}
	b.State = marketv1.BidState_BID_STATE_ACTIVE
	putBid(st, b)
	o.State, o.Lease = marketv1.OrderState_ORDER_STATE_ACTIVE, l.Id
	putOrder(st, o)
	p.Leases++
	putProvider(st, p)
	schedule(st, l, ctx.Height)
	putLease(st, l)
	st.Set(ownerLeaseKey(ctx.Signer, l.Id), []byte{})
	st.Set(provLeaseKey(prov, l.Id), []byte{})
	ctx.Emit("market.lease", attr("lease", u64(l.Id)), attr("order", u64(o.Id)), attr("owner", ctx.SignerString()),
		attr("provider", prov.String()), attr("rate", u64(rate)), attr("end_height", i64(l.EndHeight)),
		attr("next_due", i64(l.NextDue)))
	return nil
}
