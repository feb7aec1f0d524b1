package energy

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// PoolName is the conventional name of the traded-energy reward pool (its
// recipient, "energy", is what routes it here).
const PoolName = "energy_traded"

// Treasury receives what the traded-energy pool does not pay: the rounding
// remainder, or the whole pool in an epoch without delivered trades.
var Treasury = ledger.ModuleAddress("treasury")

// addSold adds Wh a seller delivered and was paid for (a payment line) to
// the running reward epoch.
func addSold(st ledger.Store, seller ledger.Address, wh uint64) *ledger.Error {
	k := key(tagSold, ledger.U64(reward.CurrentEpoch(st).Number), seller[:])
	v, ok := ledger.Add(ledger.GetU64(st, k), wh)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "energy: delivered Wh of %s overflow", seller)
	}
	ledger.SetU64(st, k, v)
	return nil
}

// SellerWh is the Wh one seller account delivered and was paid for in an
// epoch's settlements.
type SellerWh struct {
	Seller ledger.Address
	Wh     uint64
}

// SoldIn lists, in account order, the Wh each seller delivered and was paid
// for (the Wh of its payment lines) in the settlements of an epoch, and
// their sum; ok is false when the sum overflows.
func SoldIn(st ledger.Store, epoch uint64) (out []SellerWh, total uint64, ok bool) {
	ok = true
	pfx := key(tagSold, ledger.U64(epoch))
	ledger.IteratePrefix(st, pfx, func(k, v []byte) bool {
		s := SellerWh{Seller: addrOf(k[len(pfx):]), Wh: ledger.ReadU64(v)}
		out = append(out, s)
		total, ok = ledger.Add(total, s.Wh)
		return ok
	})
	return out, total, ok
}

// PayPool is the reward module's payer of the traded-energy pool
// (reward.Payer, recipient "energy"): it mints amount to the seller
// accounts pro rata to the Wh they delivered and were paid for in the
// epoch's settlements (payment lines), rounded down, and the rest to
// Treasury; it emits energy.pool_share per seller and energy.pool once, and
// forgets the epoch's delivered Wh. A household that exported without a
// trade earns nothing from this pool.
func PayPool(ctx *ledger.Context, epoch uint64, pool reward.Pool, amount uint64) *ledger.Error {
	st := ctx.Store
	sellers, total, ok := SoldIn(st, epoch)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "energy: the delivered Wh of epoch %d overflow", epoch)
	}
	var paid uint64
	for _, s := range sellers {
		amt, _ := ledger.MulDiv(amount, s.Wh, total)
		if amt > 0 {
			if e := bank.Mint(st, s.Seller, amt); e != nil {
				return e
			}
		}
		paid += amt
		st.Delete(key(tagSold, ledger.U64(epoch), s.Seller[:]))
		ctx.Emit("energy.pool_share", ledger.AU64("epoch", epoch), ledger.A("seller", s.Seller.String()),
			ledger.AU64("wh", s.Wh), ledger.AU64("amount", amt))
	}
	if rest := amount - paid; rest > 0 {
		if e := bank.Mint(st, Treasury, rest); e != nil {
			return e
		}
	}
	ctx.Emit("energy.pool", ledger.AU64("epoch", epoch), ledger.A("pool", pool.Name), ledger.AU64("amount", amount),
		ledger.AU64("wh", total), ledger.AU64("unpaid", amount-paid))
	return nil
}
