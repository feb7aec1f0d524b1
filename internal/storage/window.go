package storage

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// EndBlock closes the pending deals whose acknowledgement deadline passed
// (the consumer is refunded) and, at the last height of a proof window,
// closes the window: every active deal that owed a proof and sent none
// missed it. Deals whose lease closed in the market (owner, provider,
// expiry, escrow) are closed first, with the lease's reason.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	for _, id := range ids2(st, key(tagPending), key(tagPending, ledger.U64(uint64(ctx.Height)))) {
		d, _ := GetDeal(st, id)
		reason := CloseNotAcknowledged
		if l, ok := market.GetLease(st, id); ok && l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE {
			reason = leaseCloseReason(l.CloseReason)
		}
		if e := closeDeal(ctx, d, reason); e != nil {
			return e
		}
	}
	w, ok := WindowAt(st, ctx.Height)
	if !ok || ctx.Height != w.Last {
		return nil
	}
	proven := map[uint64]bool{}
	for _, id := range ids(st, key(tagProven, ledger.U64(w.Number))) {
		proven[id] = true
		st.Delete(provenKey(w.Number, id))
	}
	for _, id := range ids(st, key(tagActive)) {
		// A disqualification earlier in this loop may have closed it.
		d, _ := GetDeal(st, id)
		if d.State != storagev1.DealState_DEAL_STATE_ACTIVE {
			continue
		}
		if l, ok := market.GetLease(st, d.Id); !ok || l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE {
			var r uint32 = CloseOwner
			if ok {
				r = leaseCloseReason(l.CloseReason)
			}
			if e := closeDeal(ctx, d, r); e != nil {
				return e
			}
			continue
		}
		if d.FirstWindow > w.Number {
			continue
		}
		if proven[d.Id] {
			continue
		}
		if _, ok := ChallengeOf(st, d, w); !ok {
			continue // no entropy: the window challenged nothing
		}
		d.ProofsMissed++
		ctx.Emit("storage.proof", ledger.AU64("deal", d.Id), ledger.AU64("window", w.Number), ledger.A("result", "missed"))
		if e := fail(ctx, d, params.Get(st, MissSlashBps), "missed_proof"); e != nil {
			return e
		}
	}
	return nil
}

// ids2 collects the deal ids at the end of the keys in [start, end).
func ids2(st ledger.Store, start, end []byte) []uint64 {
	var out []uint64
	st.Iterate(start, end, func(k, _ []byte) bool {
		out = append(out, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	return out
}
