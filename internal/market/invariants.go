package market

import (
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Invariants checks the market's accounting: the Escrow account holds
// exactly the open orders' deposits plus the active leases' balances; the
// Collateral account exactly the open and active bids' collateral; every
// lease's paid + take + refunded + balance equals its deposits, its balance
// equals its depositors' remaining, and an active lease is in the due
// queue once, at its next_due, within what its balance pays; the due queue
// names only active leases.
func Invariants(st ledger.Store) error {
	var escrow, collateral uint64
	var err error
	fail := func(format string, args ...any) bool {
		err = fmt.Errorf(format, args...)
		return false
	}
	open := 0
	ledger.IteratePrefix(st, key(tagOrder), func(_, v []byte) bool {
		o := new(marketv1.Order)
		decodeState(v, o)
		indexed := st.Get(key(tagOpenOrder, ledger.U64(o.Id))) != nil
		if o.State == marketv1.OrderState_ORDER_STATE_OPEN {
			escrow += o.Deposit
			open++
		}
		if indexed != (o.State == marketv1.OrderState_ORDER_STATE_OPEN) {
			return fail("order %d in state %v, in the open index: %v", o.Id, o.State, indexed)
		}
		return true
	})
	if err != nil {
		return err
	}
	indexedOpen := 0
	ledger.IteratePrefix(st, key(tagOpenOrder), func(_, _ []byte) bool { indexedOpen++; return true })
	if indexedOpen != open {
		return fmt.Errorf("open-order index holds %d entries for %d open orders", indexedOpen, open)
	}
	ledger.IteratePrefix(st, key(tagBid), func(_, v []byte) bool {
		b := new(marketv1.Bid)
		decodeState(v, b)
		if b.State == marketv1.BidState_BID_STATE_OPEN || b.State == marketv1.BidState_BID_STATE_ACTIVE {
			collateral += b.Collateral
		}
		return true
	})
	active := 0
	ledger.IteratePrefix(st, key(tagLease), func(_, v []byte) bool {
		l := new(marketv1.Lease)
		decodeState(v, l)
		out := l.Paid + l.Take + l.Refunded + l.Balance
		if out != l.Deposited {
			return fail("lease %d: paid %d + take %d + refunded %d + balance %d != deposited %d", l.Id, l.Paid, l.Take, l.Refunded, l.Balance, l.Deposited)
		}
		var rem, amt uint64
		for _, d := range l.Depositors {
			rem += d.Remaining
			amt += d.Amount
		}
		if rem != l.Balance || amt != l.Deposited {
			return fail("lease %d: depositors hold %d of %d, balance %d of %d", l.Id, rem, amt, l.Balance, l.Deposited)
		}
		if l.Paid+l.Take != uint64(l.SettledHeight-l.StartHeight)*l.Rate {
			return fail("lease %d: paid %d + take %d for %d blocks at %d", l.Id, l.Paid, l.Take, l.SettledHeight-l.StartHeight, l.Rate)
		}
		if l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE {
			if l.Balance != 0 || l.NextDue != 0 {
				return fail("lease %d is closed with balance %d and next due %d", l.Id, l.Balance, l.NextDue)
			}
			return true
		}
		active++
		escrow += l.Balance
		if st.Get(dueKey(l.NextDue, l.Id)) == nil {
			return fail("lease %d is active but not due at %d", l.Id, l.NextDue)
		}
		if l.NextDue <= l.SettledHeight || l.NextDue > l.EndHeight || uint64(l.NextDue-l.SettledHeight)*l.Rate > l.Balance {
			return fail("lease %d: next due %d after settled %d (end %d) at rate %d overdraws balance %d", l.Id, l.NextDue, l.SettledHeight, l.EndHeight, l.Rate, l.Balance)
		}
		return true
	})
	if err != nil {
		return err
	}
	queued := 0
	ledger.IteratePrefix(st, key(tagDue), func(_, _ []byte) bool { queued++; return true })
	if queued != active {
		return fmt.Errorf("due queue holds %d entries for %d active leases", queued, active)
	}
	if b := bank.Balance(st, Escrow); b != escrow {
		return fmt.Errorf("escrow account holds %d, open orders and leases %d", b, escrow)
	}
	if b := bank.Balance(st, Collateral); b != collateral {
		return fmt.Errorf("collateral account holds %d, bids %d", b, collateral)
	}
	return nil
}
