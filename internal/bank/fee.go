package bank

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// CollectFee is the bank's fee step, run by the app in the ante step of
// every transaction: the fee must reach bank.min_fee and is moved from the
// payer to FeeCollector. It changes nothing on failure.
func CollectFee(st ledger.Store, payer ledger.Address, fee uint64) *ledger.Error {
	if min := params.Get(st, MinFee); fee < min {
		return ledger.Errorf(ledger.CodeFeeTooLow, "fee %d upin below the minimum %d", fee, min)
	}
	if e := Transfer(st, payer, FeeCollector, fee); e != nil {
		return ledger.Errorf(e.Code, "cannot pay fee: %s", e.Msg)
	}
	return nil
}

// Invariant checks that the balances sum to the supply (minted − burned).
func Invariant(st ledger.Store) error {
	sum, err := SumBalances(st)
	if err != nil {
		return err
	}
	if s := GetSupply(st); sum != s.Total {
		return fmt.Errorf("balances sum to %d, supply is %d (minted %d, burned %d)", sum, s.Total, s.Minted, s.Burned)
	}
	return nil
}

// Balances returns every non-zero balance, sorted by address.
func Balances(st ledger.Store) ([]GenesisBalance, error) {
	var out []GenesisBalance
	var err error
	ledger.IteratePrefix(st, BalancePrefix, func(k, v []byte) bool {
		a, e := ledger.AddressFromBytes(k[len(BalancePrefix):])
		if e != nil {
			err = fmt.Errorf("bank: balance key %x: %w", k, e)
			return false
		}
		out = append(out, GenesisBalance{Address: a, Amount: ledger.ReadU64(v)})
		return true
	})
	return out, err
}
