package relay

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// RelayBytes is the bytes paid to one relay in an epoch.
type RelayBytes struct {
	Relay ledger.Address
	Bytes uint64
}

// EpochAll lists the bytes paid to every relay in an epoch, in relay
// order, and their sum.
func EpochAll(st ledger.Store, epoch uint64) ([]RelayBytes, uint64, bool) {
	var out []RelayBytes
	var total uint64
	ok := true
	pfx := key(tagWork, ledger.U64(epoch))
	ledger.IteratePrefix(st, pfx, func(k, v []byte) bool {
		b := ledger.ReadU64(v)
		out = append(out, RelayBytes{Relay: addr(k[len(pfx):]), Bytes: b})
		total, ok = ledger.Add(total, b)
		return ok
	})
	return out, total, ok
}

// PayPool is the relay pool's reward.Payer: it mints the pool's amount to
// the relays pro-rata to the bytes consumers' receipts paid them in the
// epoch (rounded down), the rest to the treasury, and forgets the epoch.
func PayPool(ctx *ledger.Context, epoch uint64, pool reward.Pool, amount uint64) *ledger.Error {
	st := ctx.Store
	all, total, ok := EpochAll(st, epoch)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "the relayed bytes of epoch %d overflow", epoch)
	}
	var paid uint64
	for _, r := range all {
		amt, _ := ledger.MulDiv(amount, r.Bytes, total)
		if amt > 0 {
			if e := bank.Mint(st, r.Relay, amt); e != nil {
				return e
			}
		}
		paid += amt
		st.Delete(workKey(epoch, r.Relay))
		ctx.Emit("relay.pool_paid", ledger.AU64("epoch", epoch), ledger.A("relay", r.Relay.String()),
			ledger.AU64("bytes", r.Bytes), ledger.AU64("amount", amt))
	}
	if rest := amount - paid; rest > 0 {
		if e := bank.Mint(st, Treasury, rest); e != nil {
			return e
		}
	}
	ctx.Emit("relay.pool", ledger.AU64("epoch", epoch), ledger.A("pool", pool.Name), ledger.AU64("amount", amount),
		ledger.AU64("bytes", total), ledger.AU64("unused", amount-paid))
	return nil
}
