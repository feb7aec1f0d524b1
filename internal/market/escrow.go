package market

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// schedule sets a lease's next settlement, at height now or later, and
// puts it in the due queue: period blocks after its last settlement (or
// now, if that is later: a lease re-planned by a deposit after the period
// was shortened), or sooner at its end height or at the last block its
// balance can pay. It returns false, scheduling nothing, when the balance
// cannot pay one more block. The caller saves the lease.
func schedule(st ledger.Store, l *marketv1.Lease, now int64) bool {
	if l.NextDue != 0 {
		st.Delete(dueKey(l.NextDue, l.Id))
		l.NextDue = 0
	}
	blocks := max(params.Get(st, SettlePeriod), uint64(max(now-l.SettledHeight, 0)))
	if left := uint64(l.EndHeight - l.SettledHeight); left < blocks {
		blocks = left
	}
	if afford := l.Balance / l.Rate; afford < blocks {
		blocks = afford
	}
	if blocks == 0 {
		return false
	}
	l.NextDue = l.SettledHeight + int64(blocks)
	st.Set(dueKey(l.NextDue, l.Id), []byte{})
	return true
}

// pay moves blocks × rate from a lease's escrow: the take to the treasury,
// the rest to the provider, drawn from the oldest deposits first. The
// caller guarantees that the balance covers it (schedule never plans past
// what the balance pays).
func pay(ctx *ledger.Context, l *marketv1.Lease, upTo int64) (amount, take uint64, e *ledger.Error) {
	st := ctx.Store
	blocks := uint64(upTo - l.SettledHeight)
	if blocks == 0 {
		return 0, 0, nil
	}
	amount, ok := mul(blocks, l.Rate)
	if !ok || amount > l.Balance {
		// schedule keeps every due settlement within the balance: reaching
		// here means the state is broken, and halting beats overdrawing.
		panic("market: lease settlement exceeds its escrow")
	}
	take, _ = ledger.MulDiv(amount, params.Get(st, TakeRateBps), 10_000)
	if e := move(ctx, Escrow, Treasury, take); e != nil {
		return 0, 0, e
	}
	if e := move(ctx, Escrow, addr(l.Provider), amount-take); e != nil {
		return 0, 0, e
	}
	rest := amount
	for _, d := range l.Depositors {
		n := min(rest, d.Remaining)
		d.Remaining -= n
		rest -= n
	}
	l.Balance -= amount
	l.Paid += amount - take
	l.Take += take
	l.SettledHeight = upTo
	return amount, take, nil
}

// closeLease closes an active lease at height h with a reason: the blocks
// since the last settlement are paid, what is left is refunded to the
// depositors in order, the provider's collateral is returned and the order
// closes.
func closeLease(ctx *ledger.Context, l *marketv1.Lease, reason uint32) *ledger.Error {
	st := ctx.Store
	upTo := min(ctx.Height, l.EndHeight)
	if _, _, e := pay(ctx, l, upTo); e != nil {
		return e
	}
	var refunded uint64
	for _, d := range l.Depositors {
		if d.Remaining == 0 {
			continue
		}
		if e := move(ctx, Escrow, addr(d.Address), d.Remaining); e != nil {
			return e
		}
		refunded += d.Remaining
		d.Remaining = 0
	}
	l.Refunded += refunded
	l.Balance = 0
	prov := addr(l.Provider)
	if e := move(ctx, Collateral, prov, l.Collateral); e != nil {
		return e
	}
	if b, ok := GetBid(st, l.Order, prov); ok {
		b.State = marketv1.BidState_BID_STATE_CLOSED
		putBid(st, b)
	}
	if o, ok := GetOrder(st, l.Order); ok {
		o.State = marketv1.OrderState_ORDER_STATE_CLOSED
		putOrder(st, o)
	}
	if l.NextDue != 0 {
		st.Delete(dueKey(l.NextDue, l.Id))
		l.NextDue = 0
	}
	l.State = marketv1.LeaseState_LEASE_STATE_CLOSED
	l.CloseReason = reason
	l.ClosedHeight = ctx.Height
	putLease(st, l)
	ctx.Emit("market.lease_closed", attr("lease", u64(l.Id)), attr("reason", ReasonName(reason)),
		attr("reason_code", u64(uint64(reason))), attr("paid", u64(l.Paid)), attr("take", u64(l.Take)),
		attr("refunded", u64(l.Refunded)), attr("settled_height", i64(l.SettledHeight)))
	return nil
}

// settleDue settles one lease due at the block's height: pays the elapsed
// blocks and schedules the next settlement, or closes the lease as expired
// or, when its balance cannot pay one more block, for insufficient funds.
func settleDue(ctx *ledger.Context, l *marketv1.Lease) *ledger.Error {
	st := ctx.Store
	amount, take, e := pay(ctx, l, l.NextDue)
	if e != nil {
		return e
	}
	ctx.Emit("market.settle", attr("lease", u64(l.Id)), attr("amount", u64(amount)), attr("take", u64(take)),
		attr("settled_height", i64(l.SettledHeight)), attr("balance", u64(l.Balance)))
	if l.SettledHeight >= l.EndHeight {
		return closeLease(ctx, l, ReasonExpired)
	}
	if !schedule(st, l, ctx.Height) {
		return closeLease(ctx, l, ReasonInsufficientFunds)
	}
	putLease(st, l)
	return nil
}

// EndBlock settles the leases due at the block's height, in lease id order.
// It visits only the due queue's entries up to this height, so its work is
// proportional to the leases due, not to all open leases.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	var due []uint64
	start := key(tagDue)
	end := key(tagDue, ledger.U64(uint64(ctx.Height)+1))
	st.Iterate(start, end, func(k, _ []byte) bool {
		due = append(due, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	for _, id := range due {
		l, ok := GetLease(st, id)
		if !ok || l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE {
			panic("market: the due queue names a lease that is not active")
		}
		if e := settleDue(ctx, l); e != nil {
			return e
		}
	}
	return nil
}

// activeLease loads a lease that is still active.
func activeLease(st ledger.Store, id uint64) (*marketv1.Lease, *ledger.Error) {
	l, ok := GetLease(st, id)
	if !ok {
		return nil, ledger.Errorf(CodeUnknownLease, "no lease %d", id)
	}
	if l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE {
		return nil, ledger.Errorf(CodeLeaseClosed, "lease %d closed at height %d (%s)", id, l.ClosedHeight, ReasonName(l.CloseReason))
	}
	return l, nil
}

func handleDeposit(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgDeposit
	if e := ledger.Unmarshal(TypeDeposit, raw, &m); e != nil {
		return e
	}
	if m.Amount == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "amount must be positive")
	}
	st := ctx.Store
	l, e := activeLease(st, m.Lease)
	if e != nil {
		return e
	}
	bal, ok1 := ledger.Add(l.Balance, m.Amount)
	dep, ok2 := ledger.Add(l.Deposited, m.Amount)
	if !ok1 || !ok2 {
		return ledger.Errorf(ledger.CodeOverflow, "the escrow of lease %d would overflow", l.Id)
	}
	last := l.Depositors[len(l.Depositors)-1]
	merge := addr(last.Address) == ctx.Signer
	if !merge {
		if max := params.Get(st, MaxDepositors); uint64(len(l.Depositors)) >= max {
			return ledger.Errorf(CodeTooManyDepositors, "lease %d has %d deposits, at most %d allowed", l.Id, len(l.Depositors), max)
		}
	}
	if e := move(ctx, ctx.Signer, Escrow, m.Amount); e != nil {
		return e
	}
	if merge {
		// Remaining <= Amount <= Deposited, which did not overflow.
		last.Amount += m.Amount
		last.Remaining += m.Amount
	} else {
		l.Depositors = append(l.Depositors, &marketv1.Depositor{Address: ctx.Signer[:], Amount: m.Amount, Remaining: m.Amount})
	}
	l.Balance, l.Deposited = bal, dep
	// A larger balance never plans sooner than before: the old plan, at or
	// after this height, stays affordable.
	schedule(st, l, ctx.Height)
	putLease(st, l)
	ctx.Emit("market.deposit", attr("lease", u64(l.Id)), attr("depositor", ctx.SignerString()),
		attr("amount", u64(m.Amount)), attr("balance", u64(l.Balance)), attr("next_due", i64(l.NextDue)))
	return nil
}

func handleCloseLease(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgCloseLease
	if e := ledger.Unmarshal(TypeCloseLease, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	l, e := activeLease(st, m.Lease)
	if e != nil {
		return e
	}
	reason := m.Reason
	switch ctx.Signer {
	case addr(l.Owner):
		if reason == 0 {
			reason = ReasonOwner
		}
		if reason >= ReasonProvider {
			return ledger.Errorf(CodeBadCloseReason, "the owner closes with a reason in 1-9999, not %d", reason)
		}
	case addr(l.Provider):
		if reason == 0 {
			reason = ReasonProvider
		}
		if reason < ReasonProvider || reason >= ReasonInsufficientFunds {
			return ledger.Errorf(CodeBadCloseReason, "the provider closes with a reason in 10000-19999, not %d", reason)
		}
	default:
		return ledger.Errorf(ledger.CodeUnauthorized, "signer %s is neither the owner nor the provider of lease %d", ctx.Signer, l.Id)
	}
	return closeLease(ctx, l, reason)
}

// CloseLease closes an active lease on behalf of another module, with a
// network reason (20000 and up): the storage module closes the lease of a
// deal whose provider failed its proofs or never acknowledged the upload.
// The consumer gets back what the lease has not paid.
func CloseLease(ctx *ledger.Context, id uint64, reason uint32) *ledger.Error {
	if reason < ReasonInsufficientFunds {
		return ledger.Errorf(CodeBadCloseReason, "a module closes with a network reason (20000 and up), not %d", reason)
	}
	l, e := activeLease(ctx.Store, id)
	if e != nil {
		return e
	}
	return closeLease(ctx, l, reason)
}

// Restart moves an active lease that has paid nothing yet to start at this
// block, keeping its duration: the storage module starts a deal's lease
// when the provider acknowledges the upload, not when the bid was accepted.
func Restart(ctx *ledger.Context, id uint64) *ledger.Error {
	st := ctx.Store
	l, e := activeLease(st, id)
	if e != nil {
		return e
	}
	if l.SettledHeight != l.StartHeight {
		return ledger.Errorf(CodeLeaseSettled, "lease %d has paid through height %d already", id, l.SettledHeight)
	}
	d := l.EndHeight - l.StartHeight
	l.StartHeight, l.SettledHeight, l.EndHeight = ctx.Height, ctx.Height, ctx.Height+d
	if !schedule(st, l, ctx.Height) {
		// accept checked that the deposit pays one block, and nothing was paid.
		panic("market: a restarted lease cannot pay one block")
	}
	putLease(st, l)
	ctx.Emit("market.lease_restarted", attr("lease", u64(l.Id)), attr("start_height", i64(l.StartHeight)),
		attr("end_height", i64(l.EndHeight)), attr("next_due", i64(l.NextDue)))
	return nil
}

// TransferLease hands an active lease and its owner's deposits over to
// another account on behalf of another module: the storage module moves a
// lease a repair worker opened for a file to the file's owner, who repays
// the worker. The deposits the old owner made become the new owner's (so
// refunds go to it); it returns their sum, what the old owner put in.
func TransferLease(ctx *ledger.Context, id uint64, to ledger.Address) (uint64, *ledger.Error) {
	st := ctx.Store
	l, e := activeLease(st, id)
	if e != nil {
		return 0, e
	}
	from := addr(l.Owner)
	if from == to {
		return 0, nil
	}
	var moved uint64
	for _, d := range l.Depositors {
		if addr(d.Address) == from {
			moved += d.Amount
			d.Address = to[:]
		}
	}
	st.Delete(ownerLeaseKey(from, l.Id))
	st.Set(ownerLeaseKey(to, l.Id), []byte{})
	l.Owner = to[:]
	putLease(st, l)
	ctx.Emit("market.lease_transferred", attr("lease", u64(l.Id)), attr("from", from.String()), attr("to", to.String()),
		attr("deposits", u64(moved)))
	return moved, nil
}
