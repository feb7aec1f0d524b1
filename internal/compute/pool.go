package compute

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// ProviderWork is the verified work of one provider in an epoch.
type ProviderWork struct {
	Provider ledger.Address
	Work     uint64
}

// EpochWorks lists the verified work of every provider in an epoch, in
// provider order, and its sum.
func EpochWorks(st ledger.Store, epoch uint64) ([]ProviderWork, uint64, bool) {
	var out []ProviderWork
	var total uint64
	ok := true
	pfx := key(tagWork, ledger.U64(epoch))
	ledger.IteratePrefix(st, pfx, func(k, v []byte) bool {
		w := ledger.ReadU64(v)
		out = append(out, ProviderWork{Provider: addr(k[len(pfx):]), Work: w})
		total, ok = ledger.Add(total, w)
		return ok
	})
	return out, total, ok
}

// PayPool is the compute pool's reward.Payer: when an epoch settles it
// mints the pool's amount to the providers pro-rata to their verified work
// in the epoch (rounded down), the rest (rounding, or no work at all) to
// the treasury, then forgets the epoch's work.
func PayPool(ctx *ledger.Context, epoch uint64, pool reward.Pool, amount uint64) *ledger.Error {
	st := ctx.Store
	works, total, ok := EpochWorks(st, epoch)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "the verified work of epoch %d overflows", epoch)
	}
	var paid uint64
	for _, w := range works {
		amt, _ := ledger.MulDiv(amount, w.Work, total) // work <= total
		if amt > 0 {
			if e := bank.Mint(st, w.Provider, amt); e != nil {
				return e
			}
		}
		paid += amt
		st.Delete(workKey(epoch, w.Provider))
		ctx.Emit("compute.pool_paid", ledger.AU64("epoch", epoch), ledger.A("provider", w.Provider.String()),
			ledger.AU64("work", w.Work), ledger.AU64("amount", amt))
	}
	if rest := amount - paid; rest > 0 {
		if e := bank.Mint(st, Treasury, rest); e != nil {
			return e
		}
	}
	ctx.Emit("compute.pool", ledger.AU64("epoch", epoch), ledger.A("pool", pool.Name), ledger.AU64("amount", amount),
		ledger.AU64("work", total), ledger.AU64("unused", amount-paid))
	return nil
}
