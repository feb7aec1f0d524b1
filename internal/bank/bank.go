package bank

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the bank module.
var (
	MinFee = params.Spec{Name: "bank.min_fee", Default: 1000, Min: 0, Max: 1_000_000_000_000, Unit: "upin",
		Doc: "minimum fee of a transaction, paid to the fee collector"}
	MaxOutputs = params.Spec{Name: "bank.max_outputs", Default: 100, Min: 1, Max: 10_000, Unit: "outputs",
		Doc: "most outputs in one multi-send"}
)

// Specs lists the bank's parameters.
func Specs() []params.Spec { return []params.Spec{MinFee, MaxOutputs} }

// FeeCollector receives transaction fees.
var FeeCollector = ledger.ModuleAddress("fee_collector")

var (
	keyMinted = ledger.Key(ledger.PrefixBank, []byte("sm"))
	keyBurned = ledger.Key(ledger.PrefixBank, []byte("sb"))
	keyDenom  = ledger.Key(ledger.PrefixBank, []byte("d"))
)

func balanceKey(a ledger.Address) []byte { return ledger.Key(ledger.PrefixBank, []byte("b"), a[:]) }

// BalancePrefix is the key prefix of all balances (for invariant checks).
var BalancePrefix = []byte{ledger.PrefixBank, 'b'}

// Balance returns an account's balance.
func Balance(st ledger.Store, a ledger.Address) uint64 { return ledger.ReadU64(st.Get(balanceKey(a))) }

func setBalance(st ledger.Store, a ledger.Address, v uint64) {
	if v == 0 {
		st.Delete(balanceKey(a))
		return
	}
	st.Set(balanceKey(a), ledger.U64(v))
}

// Transfer moves amount from one account to another. It changes nothing on
// failure.
func Transfer(st ledger.Store, from, to ledger.Address, amount uint64) *ledger.Error {
	fb := Balance(st, from)
	nf, ok := ledger.Sub(fb, amount)
	if !ok {
		return ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, needs %d", from, fb, amount)
	}
	if from == to {
		return nil
	}
	nt, ok := ledger.Add(Balance(st, to), amount)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "balance of %s would overflow", to)
	}
	setBalance(st, from, nf)
	setBalance(st, to, nt)
	return nil
}

// Mint creates amount new tokens in an account (reward emission).
func Mint(st ledger.Store, to ledger.Address, amount uint64) *ledger.Error {
	minted, ok := ledger.Add(ledger.ReadU64(st.Get(keyMinted)), amount)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "total minted would overflow")
	}
	nb, ok := ledger.Add(Balance(st, to), amount)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "balance of %s would overflow", to)
	}
	st.Set(keyMinted, ledger.U64(minted))
	setBalance(st, to, nb)
	return nil
}

// Burn destroys amount tokens from an account (onboarding and assertion fees).
func Burn(st ledger.Store, from ledger.Address, amount uint64) *ledger.Error {
	fb := Balance(st, from)
	nb, ok := ledger.Sub(fb, amount)
	if !ok {
		return ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, needs %d to burn", from, fb, amount)
	}
	burned, ok := ledger.Add(ledger.ReadU64(st.Get(keyBurned)), amount)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "total burned would overflow")
	}
	setBalance(st, from, nb)
	st.Set(keyBurned, ledger.U64(burned))
	return nil
}

// Supply is the token supply: everything minted (genesis included) minus
// everything burned.
type Supply struct {
	Denom    string `json:"denom"`
	Decimals uint32 `json:"decimals"`
	Minted   uint64 `json:"minted"`
	Burned   uint64 `json:"burned"`
	Total    uint64 `json:"total"`
}

// GetSupply reads the supply.
func GetSupply(st ledger.Store) Supply {
	s := Supply{Minted: ledger.ReadU64(st.Get(keyMinted)), Burned: ledger.ReadU64(st.Get(keyBurned))}
	s.Total = s.Minted - s.Burned
	if d := st.Get(keyDenom); len(d) > 4 {
		s.Decimals = uint32(d[0])<<24 | uint32(d[1])<<16 | uint32(d[2])<<8 | uint32(d[3])
		s.Denom = string(d[4:])
	}
	return s
}

// SumBalances adds every balance; with GetSupply it checks the invariant.
func SumBalances(st ledger.Store) (uint64, error) {
	var sum uint64
	var err error
	ledger.IteratePrefix(st, BalancePrefix, func(_, v []byte) bool {
		var ok bool
		if sum, ok = ledger.Add(sum, ledger.ReadU64(v)); !ok {
			err = fmt.Errorf("bank: sum of balances overflows")
			return false
		}
		return true
	})
	return sum, err
}

// GenesisBalance is one funded account in genesis.
type GenesisBalance struct {
	Address ledger.Address
	Amount  uint64
}

// InitGenesis writes the denom and the genesis balances, in order; the sum
// is the initial minted supply.
func InitGenesis(st ledger.Store, denom string, decimals uint32, balances []GenesisBalance) error {
	if denom == "" || len(denom) > 32 {
		return fmt.Errorf("bank: genesis denom %q must be 1 to 32 characters", denom)
	}
	if decimals > 18 {
		return fmt.Errorf("bank: genesis decimals %d above 18", decimals)
	}
	st.Set(keyDenom, append([]byte{byte(decimals >> 24), byte(decimals >> 16), byte(decimals >> 8), byte(decimals)}, denom...))
	for _, b := range balances {
		if err := Mint(st, b.Address, b.Amount); err != nil {
			return fmt.Errorf("bank: genesis balance of %s: %s", b.Address, err.Msg)
		}
	}
	return nil
}
