package storage

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// Message type names.
const (
	TypeCreateDeal = "storage/create-deal"
	TypeAck        = "storage/ack"
	TypeProve      = "storage/prove"
)

// Register adds the storage messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeCreateDeal, handleCreateDeal)
	rt.Add(TypeAck, handleAck)
	rt.Add(TypeProve, handleProve)
	rt.Add(TypeReport, handleReport)
	rt.Add(TypeSetRepairFund, handleSetRepairFund)
}

// storageLease loads an active lease of kind storage.
func storageLease(st ledger.Store, id uint64) (*marketv1.Lease, *ledger.Error) {
	l, ok := market.GetLease(st, id)
	if !ok || l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE || l.Kind != Kind {
		return nil, ledger.Errorf(CodeNotStorageLease, "lease %d is not an active %s lease", id, Kind)
	}
	return l, nil
}

// checkLayout validates a deal's content id, root and sizes.
func checkLayout(st ledger.Store, m *storagev1.MsgCreateDeal) *ledger.Error {
	leaf := uint64(m.LeafSize)
	switch {
	case len(m.Cid) != 32 || len(m.Root) != 32:
		return ledger.Errorf(CodeBadLayout, "cid and root must be 32 bytes, got %d and %d", len(m.Cid), len(m.Root))
	case leaf < 64 || leaf > params.Get(st, MaxLeafSize) || leaf&(leaf-1) != 0:
		return ledger.Errorf(CodeBadLayout, "leaf size %d must be a power of two in [64, %d]", leaf, params.Get(st, MaxLeafSize))
	case m.ShardSize == 0 || m.ShardSize%leaf != 0:
		return ledger.Errorf(CodeBadLayout, "shard size %d must be a positive multiple of the leaf size %d", m.ShardSize, leaf)
	case Leaves(m.ShardSize, leaf) > 1<<MaxPath:
		return ledger.Errorf(CodeBadLayout, "shard of %d leaves: at most 2^%d", Leaves(m.ShardSize, leaf), MaxPath)
	}
	return nil
}

func handleCreateDeal(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m storagev1.MsgCreateDeal
	if e := ledger.Unmarshal(TypeCreateDeal, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	l, e := storageLease(st, m.Lease)
	if e != nil {
		return e
	}
	if addr(l.Owner) != ctx.Signer {
		return ledger.Errorf(ledger.CodeUnauthorized, "signer %s does not own lease %d", ctx.Signer, l.Id)
	}
	// A repair deal is the file owner's; the repairer's lease moves to it.
	owner := ctx.Signer
	var old *storagev1.Deal
	var pay uint64
	if m.RepairOf != 0 {
		var e *ledger.Error
		if old, pay, e = checkRepair(ctx, &m, l); e != nil {
			return e
		}
		owner = addr(old.Owner)
	}
	// A provider storing its own file would prove bytes nobody else asked
	// for and farm the availability pool with them (the relay refuses
	// self-channels for the same reason).
	if addr(l.Provider) == owner {
		return ledger.Errorf(CodeSelfDeal, "%s cannot store its own file: lease %d's provider is the file's owner", owner, l.Id)
	}
	if _, ok := GetDeal(st, l.Id); ok {
		return ledger.Errorf(CodeDealExists, "lease %d holds a deal already", l.Id)
	}
	if e := checkLayout(st, &m); e != nil {
		return e
	}
	if capacity, ok := ledger.MulDiv(l.Quantity, MiB, 1); !ok || m.ShardSize > capacity {
		return ledger.Errorf(CodeShardTooLarge, "shard of %d bytes is larger than lease %d's %d MiB", m.ShardSize, l.Id, l.Quantity)
	}
	prov := addr(l.Provider)
	if e := checkEligible(st, prov); e != nil {
		return e
	}
	if e := checkRoom(st, prov); e != nil {
		return e
	}
	if old != nil {
		reserveRepair(ctx, old, l.Id, pay)
	}
	d := &storagev1.Deal{Id: l.Id, Owner: owner[:], Provider: l.Provider, Cid: m.Cid, Shard: m.Shard, Root: m.Root,
		ShardSize: m.ShardSize, LeafSize: m.LeafSize, State: storagev1.DealState_DEAL_STATE_PENDING,
		CreatedHeight: ctx.Height, AckDeadline: ctx.Height + int64(params.Get(st, AckTimeout))}
	putDeal(st, d)
	st.Set(pendingKey(d.AckDeadline, d.Id), []byte{})
	st.Set(provKey(prov, d.Id), []byte{})
	st.Set(ownerKey(owner, d.Id), []byte{})
	st.Set(cidKey(d.Cid, d.Shard, d.Id), []byte{})
	ctx.Emit("storage.deal", ledger.AU64("deal", d.Id), ledger.A("owner", owner.String()), ledger.A("provider", prov.String()),
		ledger.A("cid", FormatCID([32]byte(d.Cid))), ledger.AU64("shard", uint64(d.Shard)), ledger.AU64("shard_size", d.ShardSize),
		ledger.AU64("ack_deadline", uint64(d.AckDeadline)))
	return nil
}

// collateralFor is the collateral a deal on lease l locks.
func collateralFor(st ledger.Store, l *marketv1.Lease) (uint64, *ledger.Error) {
	c, ok := ledger.MulDiv(params.Get(st, CollateralPerMiB), l.Quantity, 1)
	if !ok {
		return 0, ledger.Errorf(ledger.CodeOverflow, "collateral for %d MiB overflows", l.Quantity)
	}
	return max(c, params.Get(st, MinCollateral)), nil
}

func handleAck(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m storagev1.MsgAck
	if e := ledger.Unmarshal(TypeAck, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	d, ok := GetDeal(st, m.Deal)
	if !ok {
		return ledger.Errorf(CodeUnknownDeal, "no deal %d", m.Deal)
	}
	if addr(d.Provider) != ctx.Signer {
		return ledger.Errorf(CodeNotProvider, "signer %s is not the provider of deal %d", ctx.Signer, d.Id)
	}
	if d.State != storagev1.DealState_DEAL_STATE_PENDING {
		return ledger.Errorf(CodeDealNotPending, "deal %d is %s", d.Id, dealStateName(d.State))
	}
	if ctx.Height > d.AckDeadline {
		return ledger.Errorf(CodeAckTooLate, "deal %d had to be acknowledged by height %d", d.Id, d.AckDeadline)
	}
	if e := checkEligible(st, ctx.Signer); e != nil {
		return e
	}
	l, e := storageLease(st, d.Id)
	if e != nil {
		return e
	}
	c, e := collateralFor(st, l)
	if e != nil {
		return e
	}
	if e := move(ctx, ctx.Signer, Collateral, c); e != nil {
		return e
	}
	// The lease starts now, unless a settlement already paid blocks (an
	// acknowledgement later than market.settle_period_blocks).
	if l.SettledHeight == l.StartHeight {
		if e := market.Restart(ctx, l.Id); e != nil {
			return e
		}
	}
	if e := payRepair(ctx, d); e != nil {
		return e
	}
	st.Delete(pendingKey(d.AckDeadline, d.Id))
	st.Set(activeKey(d.Id), []byte{})
	d.State = storagev1.DealState_DEAL_STATE_ACTIVE
	d.AckedHeight = ctx.Height
	d.FirstWindow = uint64(ctx.Height)/params.Get(st, ProofPeriod) + 1
	d.Collateral, d.CollateralLeft = c, c
	putDeal(st, d)
	ctx.Emit("storage.ack", ledger.AU64("deal", d.Id), ledger.A("provider", ctx.SignerString()),
		ledger.AU64("collateral", c), ledger.AU64("first_window", d.FirstWindow))
	return nil
}

func dealStateName(s storagev1.DealState) string {
	switch s {
	case storagev1.DealState_DEAL_STATE_PENDING:
		return "pending"
	case storagev1.DealState_DEAL_STATE_ACTIVE:
		return "active"
	case storagev1.DealState_DEAL_STATE_CLOSED:
		return "closed"
	}
	return "unknown"
}

// slash takes bps of a deal's collateral (at most what is left): the
// storage.owner_share_bps part to the owner, the rest burned.
func slash(ctx *ledger.Context, d *storagev1.Deal, bps uint64, reason string) *ledger.Error {
	st := ctx.Store
	amount, _ := ledger.MulDiv(d.Collateral, bps, 10_000)
	amount = min(amount, d.CollateralLeft)
	if amount == 0 {
		return nil
	}
	toOwner, _ := ledger.MulDiv(amount, params.Get(st, OwnerShareBps), 10_000)
	owner := addr(d.Owner)
	if e := move(ctx, Collateral, owner, toOwner); e != nil {
		return e
	}
	if e := bank.Burn(st, Collateral, amount-toOwner); e != nil {
		return e
	}
	d.CollateralLeft -= amount
	d.SlashedToOwner += toOwner
	d.Burned += amount - toOwner
	ctx.Emit("storage.slash", ledger.AU64("deal", d.Id), ledger.A("provider", addr(d.Provider).String()), ledger.A("reason", reason),
		ledger.AU64("amount", amount), ledger.AU64("to_owner", toOwner), ledger.AU64("burned", amount-toOwner),
		ledger.AU64("collateral_left", d.CollateralLeft))
	return nil
}

// closeDeal ends a deal: a pending one leaves the pending queue, an active
// one gets its remaining collateral back (after the termination slash when
// its provider ended the lease early). When the lease is still active the
// storage module closes it with a network reason, refunding the consumer.
func closeDeal(ctx *ledger.Context, d *storagev1.Deal, reason uint32) *ledger.Error {
	st := ctx.Store
	switch d.State {
	case storagev1.DealState_DEAL_STATE_PENDING:
		st.Delete(pendingKey(d.AckDeadline, d.Id))
		releaseRepair(ctx, d)
	case storagev1.DealState_DEAL_STATE_ACTIVE:
		if reason == CloseProviderEnded {
			if e := slash(ctx, d, params.Get(st, TerminationSlashBps), "provider_ended"); e != nil {
				return e
			}
		}
		if e := move(ctx, Collateral, addr(d.Provider), d.CollateralLeft); e != nil {
			return e
		}
		st.Delete(activeKey(d.Id))
	default:
		return nil
	}
	returned := uint64(0)
	if d.State == storagev1.DealState_DEAL_STATE_ACTIVE {
		returned = d.CollateralLeft
	}
	if l, ok := market.GetLease(st, d.Id); ok && l.State == marketv1.LeaseState_LEASE_STATE_ACTIVE {
		mr := market.ReasonStorageFault
		if reason == CloseNotAcknowledged {
			mr = market.ReasonNotAcknowledged
		}
		if e := market.CloseLease(ctx, d.Id, mr); e != nil {
			return e
		}
	}
	d.State = storagev1.DealState_DEAL_STATE_CLOSED
	d.CloseReason = reason
	d.ClosedHeight = ctx.Height
	putDeal(st, d)
	ctx.Emit("storage.deal_closed", ledger.AU64("deal", d.Id), ledger.A("reason", CloseReasonName(reason)),
		ledger.A("cid", FormatCID([32]byte(d.Cid))), ledger.AU64("shard", uint64(d.Shard)),
		ledger.AU64("collateral_returned", returned), ledger.AU64("slashed_to_owner", d.SlashedToOwner), ledger.AU64("burned", d.Burned))
	return nil
}

// leaseCloseReason maps a closed lease's market reason to a deal's.
func leaseCloseReason(r uint32) uint32 {
	switch {
	case r == market.ReasonExpired:
		return CloseExpired
	case r == market.ReasonInsufficientFunds:
		return CloseFunds
	case r >= market.ReasonProvider && r < market.ReasonInsufficientFunds:
		return CloseProviderEnded
	case r == market.ReasonNotAcknowledged:
		return CloseNotAcknowledged
	case r == market.ReasonStorageFault:
		return CloseFaulty
	}
	return CloseOwner
}

// disqualify closes every open deal of a provider (their shards are
// repaired elsewhere).
func disqualify(ctx *ledger.Context, p ledger.Address) *ledger.Error {
	for _, d := range DealsOfProvider(ctx.Store, p) {
		if d.State == storagev1.DealState_DEAL_STATE_CLOSED {
			continue
		}
		if e := closeDeal(ctx, d, CloseDisqualified); e != nil {
			return e
		}
	}
	return nil
}

// move transfers amount between accounts and emits a bank.transfer event,
// so that every upin the module moves is in the events (the market does the
// same).
func move(ctx *ledger.Context, from, to ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return nil
	}
	if e := bank.Transfer(ctx.Store, from, to, amount); e != nil {
		return e
	}
	ctx.Emit("bank.transfer", ledger.A("from", from.String()), ledger.A("to", to.String()), ledger.AU64("amount", amount))
	return nil
}
