package energy

import (
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// Invariants checks that Escrow holds exactly the escrow of the orders not
// yet paid out (open or matched), and that no settled trade delivered more
// than it traded.
func Invariants(st ledger.Store) error {
	var held uint64
	var err error
	ledger.IteratePrefix(st, key(tagPending), func(k, _ []byte) bool {
		o, ok := GetOrder(st, ledger.ReadU64(k[len(k)-8:]))
		if !ok || (o.State != energyv1.OrderState_ORDER_STATE_OPEN && o.State != energyv1.OrderState_ORDER_STATE_MATCHED) {
			err = fmt.Errorf("energy: pending index names order %d that is not open or matched", ledger.ReadU64(k[len(k)-8:]))
			return false
		}
		var ok2 bool
		if held, ok2 = ledger.Add(held, o.Escrow); !ok2 {
			err = fmt.Errorf("energy: escrow overflows")
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	if b := bank.Balance(st, Escrow); b != held {
		return fmt.Errorf("energy: escrow account holds %d upin, pending orders %d", b, held)
	}
	return nil
}
