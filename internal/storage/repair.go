package storage

import (
	"bytes"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
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

// checkRepair validates a repair deal: it replaces a deal closed for a
// fault, whose shard has no open deal, with exactly the same shard; and
// the file owner's repair fund repays what the repairer put into the
// lease plus storage.repair_reward. It returns the old deal and the fund's
// payment.
func checkRepair(st ledger.Store, m *storagev1.MsgCreateDeal, deposits uint64) (*storagev1.Deal, uint64, *ledger.Error) {
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
	pay, ok := ledger.Add(deposits, params.Get(st, RepairReward))
	if !ok || Fund(st, addr(old.Owner)) < pay {
		return nil, 0, ledger.Errorf(CodeRepairUnfunded, "the repair fund of %s holds %d, the repair costs %d (the lease's deposits and storage.repair_reward)",
			addr(old.Owner), Fund(st, addr(old.Owner)), pay)
	}
	return old, pay, nil
}

// applyRepair moves the repair lease to the file's owner and pays the
// repairer from the owner's fund; the new deal is the owner's.
func applyRepair(ctx *ledger.Context, old *storagev1.Deal, lease uint64, pay uint64) *ledger.Error {
	owner := addr(old.Owner)
	if _, e := market.TransferLease(ctx, lease, owner); e != nil {
		return e
	}
	if e := move(ctx, RepairFund, ctx.Signer, pay); e != nil {
		return e
	}
	setFund(ctx.Store, owner, Fund(ctx.Store, owner)-pay)
	ctx.Emit("storage.repair", ledger.AU64("deal", lease), ledger.AU64("repair_of", old.Id), ledger.A("owner", owner.String()),
		ledger.A("repairer", ctx.SignerString()), ledger.AU64("paid", pay))
	return nil
}
