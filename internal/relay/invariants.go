package relay

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// Invariants checks that the escrow account holds the channels' balances
// and that every channel's deposited = paid + refunded + balance.
func Invariants(st ledger.Store) error {
	var escrow uint64
	var err error
	ledger.IteratePrefix(st, key(tagChannel), func(_, v []byte) bool {
		c := new(relayv1.Channel)
		ledger.DecodeState(v, c)
		if c.Deposited != c.Paid+c.Refunded+c.Balance {
			err = fmt.Errorf("relay: channel %s-%s: deposited %d != paid %d + refunded %d + balance %d",
				addr(c.Consumer), addr(c.Relay), c.Deposited, c.Paid, c.Refunded, c.Balance)
			return false
		}
		escrow += c.Balance
		return true
	})
	if err != nil {
		return err
	}
	if b := bank.Balance(st, Escrow); b != escrow {
		return fmt.Errorf("relay: escrow account holds %d, channels %d", b, escrow)
	}
	return nil
}

// InitGenesis loads the module's state as ExportGenesis wrote it.
func InitGenesis(st ledger.Store, raw json.RawMessage) error {
	if err := ledger.LoadPrefix(st, Prefix, raw); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	return Invariants(st)
}

// ExportGenesis dumps the module's state.
func ExportGenesis(st ledger.Store) (json.RawMessage, error) { return ledger.DumpPrefix(st, Prefix) }
