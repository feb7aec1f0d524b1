package storage

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// Invariants checks the storage module's books: the Collateral account
// holds exactly the collateral left in active deals; every deal conserves
// its collateral (left + paid to the owner + burned = locked; for a closed
// deal "left" is what went back to the provider); the active and pending
// indexes hold exactly the active and pending deals; the RepairFund
// account holds exactly the owners' repair funds plus what they reserve for
// pending repair deals, and only pending repair deals hold a reservation.
func Invariants(st ledger.Store) error {
	var held uint64
	var err error
	active, pending := 0, 0
	ledger.IteratePrefix(st, key(tagDeal), func(_, v []byte) bool {
		d := new(storagev1.Deal)
		ledger.DecodeState(v, d)
		if d.CollateralLeft+d.SlashedToOwner+d.Burned != d.Collateral {
			err = fmt.Errorf("deal %d: left %d + to owner %d + burned %d != collateral %d", d.Id, d.CollateralLeft, d.SlashedToOwner, d.Burned, d.Collateral)
			return false
		}
		isActive := st.Get(activeKey(d.Id)) != nil
		isPending := st.Get(pendingKey(d.AckDeadline, d.Id)) != nil
		switch d.State {
		case storagev1.DealState_DEAL_STATE_ACTIVE:
			held += d.CollateralLeft
			active++
		case storagev1.DealState_DEAL_STATE_PENDING:
			pending++
		}
		if isActive != (d.State == storagev1.DealState_DEAL_STATE_ACTIVE) || isPending != (d.State == storagev1.DealState_DEAL_STATE_PENDING) {
			err = fmt.Errorf("deal %d is %s, active index %v, pending index %v", d.Id, dealStateName(d.State), isActive, isPending)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	if n := len(ids(st, key(tagActive))); n != active {
		return fmt.Errorf("active index holds %d entries for %d active deals", n, active)
	}
	if n := len(ids(st, key(tagPending))); n != pending {
		return fmt.Errorf("pending index holds %d entries for %d pending deals", n, pending)
	}
	if b := bank.Balance(st, Collateral); b != held {
		return fmt.Errorf("collateral account holds %d, active deals %d", b, held)
	}
	var funds uint64
	ledger.IteratePrefix(st, key(tagFund), func(_, v []byte) bool {
		funds += ledger.ReadU64(v)
		return true
	})
	var reserved uint64
	ledger.IteratePrefix(st, key(tagRepair), func(k, v []byte) bool {
		_, r := repairOf(st, ledger.ReadU64(k[len(k)-8:]))
		if d, ok := GetDeal(st, ledger.ReadU64(k[len(k)-8:])); r != 0 && (!ok || d.State != storagev1.DealState_DEAL_STATE_PENDING) {
			err = fmt.Errorf("repair deal %d holds %d reserved but is not pending", ledger.ReadU64(k[len(k)-8:]), r)
			return false
		}
		reserved += r
		return true
	})
	if err != nil {
		return err
	}
	if b := bank.Balance(st, RepairFund); b != funds+reserved {
		return fmt.Errorf("repair fund account holds %d, the owners' repair funds %d + reserved for pending repairs %d", b, funds, reserved)
	}
	return nil
}

// InitGenesis loads the storage genesis section (ExportGenesis's state
// entries), checked by Invariants.
func InitGenesis(st ledger.Store, raw json.RawMessage) error {
	if err := ledger.LoadPrefix(st, Prefix, raw); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	return Invariants(st)
}

// ExportGenesis writes every storage entry.
func ExportGenesis(st ledger.Store) (json.RawMessage, error) { return ledger.DumpPrefix(st, Prefix) }
