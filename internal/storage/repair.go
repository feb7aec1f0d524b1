package storage

import (
	"bytes"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// TypeSetRepairFund sets the signer's repair fund.
const TypeSetRepairFund = "storage/set-repair-fund"

// RepairFund holds the owners' repair funds. No key can sign for it.
var RepairFund = ledger.ModuleAddress("storage_repair")

// Fund returns an owner's repair fund.
func Fund(st ledger.Store, owner ledger.Address) uint64 {
	return ledger.ReadU64(st.Get(fundKey(owner)))
}

func fundKey(o ledger.Address) []byte { return key(tagFund, o[:]) }

func setFund(st ledger.Store, o ledger.Address, v uint64) {
	if v == 0 {
		st.Delete(fundKey(o))
		return
	}
	st.Set(fundKey(o), ledger.U64(v))
}

func handleSetRepairFund(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m storagev1.MsgSetRepairFund
	if e := ledger.Unmarshal(TypeSetRepairFund, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	old := Fund(st, ctx.Signer)
	var e *ledger.Error
	switch {
	case m.Amount > old:
		e = move(ctx, ctx.Signer, RepairFund, m.Amount-old)
	case m.Amount < old:
		e = move(ctx, RepairFund, ctx.Signer, old-m.Amount)
	default:
		return ledger.Errorf(CodeFundUnchanged, "the repair fund of %s is %d already", ctx.Signer, old)
	}
	if e != nil {
		return e
	}
	setFund(st, ctx.Signer, m.Amount)
	ctx.Emit("storage.repair_fund", ledger.A("owner", ctx.SignerString()), ledger.AU64("amount", m.Amount), ledger.AU64("previous", old))
	return nil
}

// repairable reports whether a closed deal's shard needs a new home: it
// closed for a fault of its provider (not by its owner's choice or the end
// of its lease).
func repairable(d *storagev1.Deal) bool {
	if d.State != storagev1.DealState_DEAL_STATE_CLOSED {
		return false
	}
	switch d.CloseReason {
	case CloseProviderEnded, CloseNotAcknowledged, CloseFaulty, CloseDisqualified:
		return true
	}
	return false
}

// openShard reports whether a content id's shard has a pending or active
// deal.
func openShard(st ledger.Store, cid []byte, shard uint32) bool {
	open := false
	ledger.IteratePrefix(st, key(tagCID, cid, ledger.U64(uint64(shard))), func(k, _ []byte) bool {
		d, _ := GetDeal(st, ledger.ReadU64(k[len(k)-8:]))
		open = d.State != storagev1.DealState_DEAL_STATE_CLOSED
		return !open
	})
	return open
}

// checkRepair validates a repair deal on lease l signed by repairer: it
// replaces a deal closed for a fault, whose shard has no open deal, with
// exactly the same shard, on a lease no dearer and no larger than the
// failed one, whose provider is neither the repairer nor the failed deal's
// provider, and the repairer did not place the failed deal itself (so a
// repair its provider never acknowledged cannot be repaired again by the
// same party for another reward). It returns the old deal and what the
// owner's repair fund pays at the acknowledgement: the repairer's deposits,
// capped at price × quantity × the failed lease's remaining blocks, plus
// storage.repair_reward.
func checkRepair(ctx *ledger.Context, m *storagev1.MsgCreateDeal, l *marketv1.Lease) (*storagev1.Deal, uint64, *ledger.Error) {
	st := ctx.Store
	old, ok := GetDeal(st, m.RepairOf)
	if !ok {
		return nil, 0, ledger.Errorf(CodeUnknownDeal, "no deal %d to repair", m.RepairOf)
	}
	if !repairable(old) || openShard(st, old.Cid, old.Shard) {
		return nil, 0, ledger.Errorf(CodeNotRepairable, "deal %d's shard needs no repair: the deal is %s (%s) or the shard has an open deal",
			old.Id, dealStateName(old.State), CloseReasonName(old.CloseReason))
	}
	if !bytes.Equal(m.Cid, old.Cid) || m.Shard != old.Shard || !bytes.Equal(m.Root, old.Root) || m.ShardSize != old.ShardSize || m.LeafSize != old.LeafSize {
		return nil, 0, ledger.Errorf(CodeRepairMismatch, "the repair deal's shard is not deal %d's (content id, index, root and sizes must match)", old.Id)
	}
	if r, _ := repairOf(st, old.Id); r == ctx.Signer {
		return nil, 0, ledger.Errorf(CodeRepairOwnDeal, "%s placed deal %d as a repair itself: another party repairs it", ctx.Signer, old.Id)
	}
	if prov := addr(l.Provider); prov == ctx.Signer || bytes.Equal(l.Provider, old.Provider) {
		return nil, 0, ledger.Errorf(CodeRepairProvider, "lease %d's provider %s is the repairer or deal %d's failed provider", l.Id, prov, old.Id)
	}
	ol, ok := market.GetLease(st, old.Id)
	if !ok || ol.EndHeight <= ctx.Height || l.Price > ol.Price || l.Quantity > ol.Quantity {
		var price, qty uint64
		var end int64
		if ok {
			price, qty, end = ol.Price, ol.Quantity, ol.EndHeight
		}
		return nil, 0, ledger.Errorf(CodeRepairTerms, "lease %d (price %d, %d MiB) must be no dearer and no larger than deal %d's lease (price %d, %d MiB, paid to height %d, now %d)",
			l.Id, l.Price, l.Quantity, old.Id, price, qty, end, ctx.Height)
	}
	var deposits uint64
	for _, d := range l.Depositors {
		if addr(d.Address) == ctx.Signer {
			deposits += d.Amount
		}
	}
	blocks := min(uint64(l.EndHeight-l.StartHeight), uint64(ol.EndHeight-ctx.Height))
	if c, ok := ledger.MulDiv(l.Rate, blocks, 1); ok { // rate = price × quantity
		deposits = min(deposits, c)
	}
	pay, ok := ledger.Add(deposits, params.Get(st, RepairReward))
	if !ok || Fund(st, addr(old.Owner)) < pay {
		return nil, 0, ledger.Errorf(CodeRepairUnfunded, "the repair fund of %s holds %d, the repair costs %d (the lease's deposits, at most price x quantity x blocks left, and storage.repair_reward)",
			addr(old.Owner), Fund(st, addr(old.Owner)), pay)
	}
	return old, pay, nil
}

func repairKey(id uint64) []byte { return key(tagRepair, ledger.U64(id)) }

// repairOf returns the repairer of a repair deal and what the owner's
// fund holds reserved for it (0 once paid or released).
func repairOf(st ledger.Store, id uint64) (ledger.Address, uint64) {
	v := st.Get(repairKey(id))
	if len(v) != ledger.AddressLen+8 {
		return ledger.Address{}, 0
	}
	return addr(v[:ledger.AddressLen]), ledger.ReadU64(v[ledger.AddressLen:])
}

func setRepair(st ledger.Store, id uint64, repairer ledger.Address, reserved uint64) {
	st.Set(repairKey(id), append(append([]byte(nil), repairer[:]...), ledger.U64(reserved)...))
}

// reserveRepair sets the repair's payment aside from the owner's fund (the
// upin stay in the RepairFund account) until the repair deal is
// acknowledged; the lease stays the repairer's until then.
func reserveRepair(ctx *ledger.Context, old *storagev1.Deal, lease uint64, pay uint64) {
	owner := addr(old.Owner)
	setFund(ctx.Store, owner, Fund(ctx.Store, owner)-pay)
	setRepair(ctx.Store, lease, ctx.Signer, pay)
	ctx.Emit("storage.repair", ledger.AU64("deal", lease), ledger.AU64("repair_of", old.Id), ledger.A("owner", owner.String()),
		ledger.A("repairer", ctx.SignerString()), ledger.AU64("reserved", pay))
}

// payRepair runs at a repair deal's acknowledgement: the lease moves to the
// file's owner and the reserved payment goes to the repairer.
func payRepair(ctx *ledger.Context, d *storagev1.Deal) *ledger.Error {
	repairer, pay := repairOf(ctx.Store, d.Id)
	if pay == 0 {
		return nil
	}
	owner := addr(d.Owner)
	if _, e := market.TransferLease(ctx, d.Id, owner); e != nil {
		return e
	}
	if e := move(ctx, RepairFund, repairer, pay); e != nil {
		return e
	}
	setRepair(ctx.Store, d.Id, repairer, 0)
	ctx.Emit("storage.repair_paid", ledger.AU64("deal", d.Id), ledger.A("owner", owner.String()),
		ledger.A("repairer", repairer.String()), ledger.AU64("paid", pay))
	return nil
}

// releaseRepair runs when a repair deal closes unacknowledged: the reserved
// payment goes back to the owner's fund and the repairer gets nothing (its
// lease, still its own, refunds it).
func releaseRepair(ctx *ledger.Context, d *storagev1.Deal) {
	repairer, pay := repairOf(ctx.Store, d.Id)
	if pay == 0 {
		return
	}
	owner := addr(d.Owner)
	setFund(ctx.Store, owner, Fund(ctx.Store, owner)+pay)
	setRepair(ctx.Store, d.Id, repairer, 0)
	ctx.Emit("storage.repair_released", ledger.AU64("deal", d.Id), ledger.A("owner", owner.String()),
		ledger.A("repairer", repairer.String()), ledger.AU64("released", pay))
}
