package market

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// ProviderUsage is the credits spent with one provider in an epoch.
type ProviderUsage struct {
	Provider ledger.Address
	Credits  uint64
}

// EpochUsage lists the credits spent with each provider in an epoch and not
// yet paid from its usage pool, in provider order, and their sum.
func EpochUsage(st ledger.Store, epoch uint64) ([]ProviderUsage, uint64) {
	var out []ProviderUsage
	var total uint64
	pfx := key(tagUsage, ledger.U64(epoch))
	ledger.IteratePrefix(st, pfx, func(k, v []byte) bool {
		c := ledger.ReadU64(v)
		out = append(out, ProviderUsage{Provider: addr(k[len(pfx):]), Credits: c})
		// Credits spent are at most credits bought, which fit in a uint64.
		total += c
		return true
	})
	return out, total
}

// UsageSplit divides an epoch's usage pool among providers pro-rata to the
// credits spent with them, each rounded down and capped at its credits ×
// market.usage_cap_upin_per_credit (0: no cap). It returns the payouts in
// provider order and what the pool does not use.
func UsageSplit(st ledger.Store, epoch, pool uint64) ([]ProviderUsage, uint64) {
	usage, total := EpochUsage(st, epoch)
	capPer := params.Get(st, UsageCap)
	pays := make([]ProviderUsage, len(usage))
	var paid uint64
	for i, u := range usage {
		amt, _ := ledger.MulDiv(pool, u.Credits, total) // credits <= total: fits
		if capPer > 0 {
			if c, ok := mul(u.Credits, capPer); ok && amt > c {
				amt = c
			}
		}
		pays[i] = ProviderUsage{Provider: u.Provider, Credits: amt}
		paid += amt // each at most its pro-rata part: the sum is at most pool
	}
	return pays, pool - paid
}

// UsageEarned is what an epoch's usage would take of a usage pool of the
// given size; the rest is unused.
func UsageEarned(st ledger.Store, epoch, pool uint64) uint64 {
	_, unused := UsageSplit(st, epoch, pool)
	return pool - unused
}

// PayUsage pays an epoch's usage pool when the epoch settles: it mints
// amount, each provider's UsageSplit part to the provider and the unused
// rest (rounding, caps, no usage) to the treasury, then forgets the epoch's
// usage. It emits one market.usage_paid event per provider.
func PayUsage(ctx *ledger.Context, epoch, amount uint64) *ledger.Error {
	st := ctx.Store
	pays, unused := UsageSplit(st, epoch, amount)
	for _, p := range pays {
		if p.Credits > 0 {
			if e := bank.Mint(st, p.Provider, p.Credits); e != nil {
				return e
			}
		}
		st.Delete(usageKey(epoch, p.Provider))
		ctx.Emit("market.usage_paid", attr("epoch", u64(epoch)), attr("provider", p.Provider.String()), attr("amount", u64(p.Credits)))
	}
	if unused > 0 {
		if e := bank.Mint(st, Treasury, unused); e != nil {
			return e
		}
	}
	ctx.Emit("market.usage_pool", attr("epoch", u64(epoch)), attr("amount", u64(amount)),
		attr("providers", u64(uint64(len(pays)))), attr("unused", u64(unused)))
	return nil
}
