package credit

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
)

// Prefix is the credit module's key prefix.
const Prefix byte = 0x21

// Key layout under Prefix:
//
//	'b' address  -> credits (u64)
//	't'          -> Totals
var (
	keyTotals     = []byte{Prefix, 't'}
	balancePrefix = []byte{Prefix, 'b'}
)

func balanceKey(a ledger.Address) []byte { return ledger.Key(Prefix, []byte{'b'}, a[:]) }

// Balance returns an account's credits.
func Balance(st ledger.Store, a ledger.Address) uint64 { return ledger.ReadU64(st.Get(balanceKey(a))) }

func setBalance(st ledger.Store, a ledger.Address, v uint64) {
	if v == 0 {
		st.Delete(balanceKey(a))
		return
	}
	st.Set(balanceKey(a), ledger.U64(v))
}

// GetTotals reads the module's running totals.
func GetTotals(st ledger.Store) *creditv1.Totals {
	t := new(creditv1.Totals)
	if b := st.Get(keyTotals); b != nil {
		if err := proto.Unmarshal(b, t); err != nil {
			panic(fmt.Sprintf("credit: corrupt totals in state: %v", err))
		}
	}
	return t
}

func putTotals(st ledger.Store, t *creditv1.Totals) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("credit: encode totals: %v", err))
	}
	st.Set(keyTotals, b)
}

// Spend debits credits from payer for usage. It changes nothing and returns
// CodeInsufficientCredits when the balance is short.
func Spend(st ledger.Store, payer ledger.Address, credits uint64) *ledger.Error {
	bal := Balance(st, payer)
	nb, ok := ledger.Sub(bal, credits)
	if !ok {
		return ledger.Errorf(CodeInsufficientCredits, "%s has %d credits, needs %d", payer, bal, credits)
	}
	t := GetTotals(st)
	// spent <= bought: every credit spent was bought first.
	t.Outstanding -= credits
	t.Spent += credits
	setBalance(st, payer, nb)
	putTotals(st, t)
	return nil
}

// Invariants checks that the balances sum to the outstanding total and that
// outstanding = bought − spent.
func Invariants(st ledger.Store) error {
	var sum uint64
	var err error
	ledger.IteratePrefix(st, balancePrefix, func(_, v []byte) bool {
		var ok bool
		if sum, ok = ledger.Add(sum, ledger.ReadU64(v)); !ok {
			err = fmt.Errorf("credit balances overflow")
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	t := GetTotals(st)
	if sum != t.Outstanding {
		return fmt.Errorf("credit balances sum to %d, outstanding is %d", sum, t.Outstanding)
	}
	if t.Bought < t.Spent || t.Bought-t.Spent != t.Outstanding {
		return fmt.Errorf("credits bought %d − spent %d != outstanding %d", t.Bought, t.Spent, t.Outstanding)
	}
	if t.PendingRemintUpin > t.BurnedUpin {
		return fmt.Errorf("pending re-mint %d above burned %d", t.PendingRemintUpin, t.BurnedUpin)
	}
	return nil
}

// InitGenesis loads the credit module's genesis section: its state entries
// as ExportGenesis wrote them (ledger.DumpPrefix), checked by Invariants.
func InitGenesis(st ledger.Store, raw json.RawMessage) error {
	if err := ledger.LoadPrefix(st, Prefix, raw); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	return Invariants(st)
}

// ExportGenesis writes every credit entry (balances and totals).
func ExportGenesis(st ledger.Store) (json.RawMessage, error) { return ledger.DumpPrefix(st, Prefix) }
