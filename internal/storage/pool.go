package storage

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// PoolShare is one provider's part of an epoch's storage availability
// pool, with the reason it is paid or not.
type PoolShare struct {
	Provider ledger.Address
	// Bytes proven in the epoch (a shard's size per passed proof).
	Bytes uint64
	// Score is the provider's reputation score in millionths.
	Score uint64
	// Units = Bytes × Score / 10^6, 0 when not eligible.
	Units uint64
	Paid  uint64
	// Reason: "proven", "suspended" or "disqualified".
	Reason string
}

// PoolShares computes how an epoch's storage availability pool of amount
// upin splits: each provider's units are the bytes it proved in the epoch
// times its reputation score; a suspended or disqualified provider gets
// none. Payouts are pro-rata to units, rounded down; the rest (rounding, or
// the whole pool with no units) is returned as unpaid, for the treasury.
// Providers come in address order.
func PoolShares(st ledger.Store, epochNum, amount uint64) ([]PoolShare, uint64) {
	var out []PoolShare
	var total uint64
	prefix := key(tagEpoch, ledger.U64(epochNum))
	ledger.IteratePrefix(st, prefix, func(k, v []byte) bool {
		p := addr(k[len(prefix):])
		s := PoolShare{Provider: p, Bytes: ledger.ReadU64(v), Reason: "proven"}
		r := reputationOf(st, p, 0)
		s.Score = Score(r)
		switch r.Status {
		case storagev1.ProviderStatus_PROVIDER_STATUS_SUSPENDED, storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED:
			s.Reason = StatusName(r.Status)
		default:
			s.Units, _ = ledger.MulDiv(s.Bytes, s.Score, ScaleOne)
			total = satAdd(total, s.Units)
		}
		out = append(out, s)
		return true
	})
	paid := uint64(0)
	if total > 0 {
		for i := range out {
			out[i].Paid, _ = ledger.MulDiv(amount, out[i].Units, total)
			paid += out[i].Paid
		}
	}
	return out, amount - paid
}

// PayPool is the reward module's payer of the storage availability pool
// (reward.Payer, recipient "storage"): it mints each provider's share of
// amount as PoolShares computes it and the unpaid rest to the treasury,
// emits storage.pool_share per provider with its reason and storage.pool
// once, and forgets the epoch's proven bytes.
func PayPool(ctx *ledger.Context, epochNum uint64, _ reward.Pool, amount uint64) *ledger.Error {
	st := ctx.Store
	shares, unpaid := PoolShares(st, epochNum, amount)
	for _, s := range shares {
		if s.Paid > 0 {
			if e := bank.Mint(st, s.Provider, s.Paid); e != nil {
				return e
			}
		}
		st.Delete(epochKey(epochNum, s.Provider))
		ctx.Emit("storage.pool_share", ledger.AU64("epoch", epochNum), ledger.A("provider", s.Provider.String()),
			ledger.AU64("bytes", s.Bytes), ledger.AU64("score_ppm", s.Score), ledger.AU64("units", s.Units),
			ledger.AU64("amount", s.Paid), ledger.A("reason", s.Reason))
	}
	if unpaid > 0 {
		if e := bank.Mint(st, Treasury, unpaid); e != nil {
			return e
		}
	}
	ctx.Emit("storage.pool", ledger.AU64("epoch", epochNum), ledger.AU64("amount", amount),
		ledger.AU64("providers", uint64(len(shares))), ledger.AU64("unpaid", unpaid))
	return nil
}
