package market

import (
	"slices"

	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
)

// EpochEnd is the reward module's epoch hook (reward.EpochHook). It adds
// to the ending epoch's emission the share of the PIN burned for credits
// that credit.Remint releases, then, while market.bootstrapping is 1, moves
// the basis points of the usage pool that the epoch's usage does not earn
// to the availability (device) pools, pro-rata to their weights; the
// rounding remainder of that split goes to the first device pool. Usage
// is what UsageSplit would pay from the usage pool's slice of the total
// emission. Without a usage pool, device pools or emission the pools are
// returned unchanged.
func EpochEnd(ctx *ledger.Context, epoch, emission uint64, pools []reward.Pool) (uint64, []reward.Pool) {
	st := ctx.Store
	extra := credit.Remint(st)
	total := emission + extra // the reward module rejects an overflow
	if total < emission {
		return extra, pools
	}
	out, moved := bootstrapPools(st, epoch, total, pools)
	dropped := uint64(0)
	if !slices.ContainsFunc(out, func(p reward.Pool) bool { return p.Recipient == reward.RecipientUsage && p.Bps > 0 }) {
		// No usage pool will pay this epoch's usage: forget it now rather
		// than keep it forever.
		dropped = forgetUsage(st, epoch)
	}
	ctx.Emit("market.epoch_end", attr("epoch", u64(epoch)), attr("reminted", u64(extra)),
		attr("usage_bps_moved", u64(moved)), attr("usage_dropped", u64(dropped)))
	return extra, out
}

// forgetUsage deletes an epoch's usage and returns the credits it held.
func forgetUsage(st ledger.Store, epoch uint64) uint64 {
	us, total := EpochUsage(st, epoch)
	for _, u := range us {
		st.Delete(usageKey(epoch, u.Provider))
	}
	return total
}

// bootstrapPools returns pools with the unearned part of the usage pool
// moved to the device pools, and the basis points moved.
func bootstrapPools(st ledger.Store, epoch, emission uint64, pools []reward.Pool) ([]reward.Pool, uint64) {
	if params.Get(st, Bootstrapping) == 0 || emission == 0 {
		return pools, 0
	}
	usage := -1
	var deviceBps uint64
	for i, p := range pools {
		switch p.Recipient {
		case reward.RecipientUsage:
			usage = i
		case reward.RecipientDevices:
			deviceBps += uint64(p.Bps)
		}
	}
	if usage < 0 || deviceBps == 0 || pools[usage].Bps == 0 {
		return pools, 0
	}
	slice, _ := ledger.MulDiv(emission, uint64(pools[usage].Bps), reward.BpsTotal)
	unused := slice - UsageEarned(st, epoch, slice)
	move, _ := ledger.MulDiv(unused, reward.BpsTotal, emission) // unused <= emission: fits, at most the usage bps
	if move == 0 {
		return pools, 0
	}
	out := append([]reward.Pool(nil), pools...)
	out[usage].Bps -= uint32(move)
	first, given := -1, uint64(0)
	for i := range out {
		if out[i].Recipient != reward.RecipientDevices {
			continue
		}
		if first < 0 {
			first = i
		}
		add, _ := ledger.MulDiv(move, uint64(out[i].Bps), deviceBps)
		out[i].Bps += uint32(add)
		given += add
	}
	out[first].Bps += uint32(move - given)
	return out, move
}

// PayUsagePool is PayUsage as the reward module's payer of the usage pool
// (reward.Payer).
func PayUsagePool(ctx *ledger.Context, epoch uint64, _ reward.Pool, amount uint64) *ledger.Error {
	return PayUsage(ctx, epoch, amount)
}
