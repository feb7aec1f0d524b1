package market

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
)

// TestEscrowProperties interleaves orders, accepts, deposits, closes,
// changes of the settlement period and empty blocks at random. After every block the invariants hold (escrow and
// collateral accounts match, paid + take + refunded + balance = deposits
// per lease), supply never changes, no lease is ever paid beyond its
// deposits, an active lease is planned only within its balance, and a
// closed lease was paid for every block up to its close.
func TestEscrowProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		overrides := map[string]uint64{
			"market.settle_period_blocks": rapid.Uint64Range(1, 12).Draw(rt, "period"),
			"market.take_rate_bps":        rapid.Uint64Range(0, 5_000).Draw(rt, "take"),
			"market.min_deposit":          1,
			"market.min_collateral":       0,
		}
		users := []string{"u0", "u1", "u2"}
		provs := []string{"p0", "p1"}
		e := newEnv(rt, overrides, append(append([]string{}, users...), provs...)...)
		for _, p := range provs {
			e.provider(p)
		}
		supply := bank.GetSupply(e.st).Total
		steps := rapid.IntRange(1, 60).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 5: // the authority changes the settlement period
				v := rapid.Uint64Range(1, 12).Draw(rt, "newPeriod")
				if err := e.deliverRaw(e.authority, "params/set", mustMarshal(rt, &paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: SettlePeriod.Name, Value: v}}})); err != nil {
					rt.Fatalf("set period: %v", err)
				}
			case 0: // open a lease
				owner := rapid.SampledFrom(users).Draw(rt, "owner")
				prov := rapid.SampledFrom(provs).Draw(rt, "prov")
				qty := rapid.Uint64Range(1, 5).Draw(rt, "qty")
				price := rapid.Uint64Range(1, 1_000).Draw(rt, "price")
				dur := rapid.Uint64Range(1, 60).Draw(rt, "dur")
				dep := rapid.Uint64Range(qty*price, qty*price*80).Draw(rt, "deposit")
				e.leaseFor(owner, prov, qty, price, dur, dep)
			case 1: // deposit into a lease (maybe closed: then rejected)
				if id := pickLease(rt, e); id != 0 {
					who := rapid.SampledFrom(users).Draw(rt, "depositor")
					err := e.deliver(who, TypeDeposit, &marketv1.MsgDeposit{Lease: id, Amount: rapid.Uint64Range(1, 50_000).Draw(rt, "amount")})
					if l := e.lease(id); l.State == marketv1.LeaseState_LEASE_STATE_CLOSED && (err == nil || err.Code != CodeLeaseClosed) {
						rt.Fatalf("deposit into closed lease %d: %v", id, err)
					}
				}
			case 2: // close a lease by owner or provider
				if id := pickLease(rt, e); id != 0 {
					l := e.lease(id)
					who := l.Owner
					if rapid.Bool().Draw(rt, "byProvider") {
						who = l.Provider
					}
					err := e.deliverRaw(addr(who), TypeCloseLease, mustMarshal(rt, &marketv1.MsgCloseLease{Lease: id}))
					if (err == nil) != (l.State == marketv1.LeaseState_LEASE_STATE_ACTIVE) {
						rt.Fatalf("close of lease %d in state %v: %v", id, l.State, err)
					}
				}
			default: // blocks pass
				for range rapid.IntRange(1, 15).Draw(rt, "blocks") {
					e.endBlock()
					checkLeases(rt, e)
				}
			}
		}
		e.endBlock()
		checkLeases(rt, e)
		if got := bank.GetSupply(e.st).Total; got != supply {
			rt.Fatalf("supply moved from %d to %d", supply, got)
		}
	})
}

func pickLease(rt *rapid.T, e *env) uint64 {
	n := ledger.ReadU64(e.st.Get(key(tagNextID, []byte{'l'})))
	if n == 0 {
		return 0
	}
	return rapid.Uint64Range(1, n).Draw(rt, "lease")
}

// checkLeases checks every lease after a block: no overdraw, no unpaid
// block before a close, active leases due after this height.
func checkLeases(rt *rapid.T, e *env) {
	h := e.height - 1 // the block just ended
	ledger.IteratePrefix(e.st, key(tagLease), func(_, v []byte) bool {
		l := new(marketv1.Lease)
		decodeState(v, l)
		if l.Paid+l.Take > l.Deposited {
			rt.Fatalf("lease %d paid %d + %d beyond deposits %d", l.Id, l.Paid, l.Take, l.Deposited)
		}
		if l.State == marketv1.LeaseState_LEASE_STATE_ACTIVE {
			if l.NextDue <= h {
				rt.Fatalf("lease %d active at %d but due at %d", l.Id, h, l.NextDue)
			}
			if h >= l.EndHeight {
				rt.Fatalf("lease %d active at %d past its end %d", l.Id, h, l.EndHeight)
			}
			return true
		}
		if want := min(l.ClosedHeight, l.EndHeight); l.SettledHeight != want {
			rt.Fatalf("lease %d closed at %d (end %d) but paid through %d", l.Id, l.ClosedHeight, l.EndHeight, l.SettledHeight)
		}
		if l.CloseReason == ReasonInsufficientFunds && l.Refunded >= l.Rate {
			rt.Fatalf("lease %d closed for insufficient funds with %d refunded at rate %d", l.Id, l.Refunded, l.Rate)
		}
		return true
	})
}
