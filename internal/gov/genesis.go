package gov

import (
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// InitGenesis makes the governance module the params authority when
// authority is set: parameters, the oracle set, ingest operators and every
// other authority action then change only by proposal.
func InitGenesis(st ledger.Store, authority bool) error {
	if authority {
		params.SetAuthority(st, Authority)
	}
	return nil
}

// Invariants checks that the deposits account holds exactly the recorded
// deposits of open proposals.
func Invariants(st ledger.Store) error {
	var sum uint64
	ledger.IteratePrefix(st, key(tagDeposit), func(_, v []byte) bool {
		sum += ledger.ReadU64(v)
		return true
	})
	if b := bank.Balance(st, Deposits); b != sum {
		return fmt.Errorf("deposits account holds %d upin, records say %d", b, sum)
	}
	return nil
}
