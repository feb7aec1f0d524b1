package relay

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// RelayBytes is the bytes and upin consumers' receipts paid one relay in
// an epoch.
type RelayBytes struct {
	Relay ledger.Address
	Bytes uint64
	Paid  uint64
}

// EpochAll lists the bytes and upin receipts paid every relay in an epoch,
// in relay order, and the sum of the upin (the pool's weight).
func EpochAll(st ledger.Store, epoch uint64) ([]RelayBytes, uint64, bool) {
	var out []RelayBytes
	var total uint64
	ok := true
	pfx := key(tagPaid, ledger.U64(epoch))
	ledger.IteratePrefix(st, pfx, func(k, v []byte) bool {
		r := addr(k[len(pfx):])
		p := ledger.ReadU64(v)
		out = append(out, RelayBytes{Relay: r, Bytes: EpochBytes(st, epoch, r), Paid: p})
		total, ok = ledger.Add(total, p)
		return ok
	})
	return out, total, ok
}

// PayPool is the relay pool's reward.Payer: it mints the pool's amount to
// the relays pro-rata to the upin consumers' receipts paid them in the
// epoch (rounded down), the rest to the treasury, and forgets the epoch.
// Weighting by upin rather than bytes makes pool share cost money: every
// paid upin carried market.take_rate_bps to the treasury.
func PayPool(ctx *ledger.Context, epoch uint64, pool reward.Pool, amount uint64) *ledger.Error {
	st := ctx.Store
	all, total, ok := EpochAll(st, epoch)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "the relay payments of epoch %d overflow", epoch)
	}
	var paid uint64
	for _, r := range all {
		amt, _ := ledger.MulDiv(amount, r.Paid, total)
		if amt > 0 {
			if e := bank.Mint(st, r.Relay, amt); e != nil {
				return e
			}
		}
		paid += amt
		st.Delete(workKey(epoch, r.Relay))
		st.Delete(paidKey(epoch, r.Relay))
		ctx.Emit("relay.pool_paid", ledger.AU64("epoch", epoch), ledger.A("relay", r.Relay.String()),
			ledger.AU64("bytes", r.Bytes), ledger.AU64("paid", r.Paid), ledger.AU64("amount", amt))
	}
	if rest := amount - paid; rest > 0 {
		if e := bank.Mint(st, Treasury, rest); e != nil {
			return e
		}
	}
	ctx.Emit("relay.pool", ledger.AU64("epoch", epoch), ledger.A("pool", pool.Name), ledger.AU64("amount", amount),
		ledger.AU64("paid", total), ledger.AU64("unused", amount-paid))
	return nil
}
