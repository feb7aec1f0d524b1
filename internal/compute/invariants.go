package compute

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// Invariants checks the module's books: the escrow account holds the
// running jobs' balances, the bond account the providers' bonds, every job
// balances, every provider's open count equals its open slots and the
// assignment index, and every unfinished task is in the due queue once.
func Invariants(st ledger.Store) error {
	var escrow, bonds uint64
	var err error
	ledger.IteratePrefix(st, key(tagJob), func(_, v []byte) bool {
		j := new(computev1.Job)
		ledger.DecodeState(v, j)
		if j.Deposit+j.SlashedIn != j.Paid+j.Refunded+j.Balance {
			err = fmt.Errorf("compute: job %d: deposit %d + slashed %d != paid %d + refunded %d + balance %d",
				j.Id, j.Deposit, j.SlashedIn, j.Paid, j.Refunded, j.Balance)
			return false
		}
		if j.State != computev1.JobState_JOB_STATE_RUNNING && j.Balance != 0 {
			err = fmt.Errorf("compute: finished job %d keeps a balance of %d", j.Id, j.Balance)
			return false
		}
		escrow += j.Balance
		return true
	})
	if err != nil {
		return err
	}
	open := map[ledger.Address]uint64{}
	var tasksDue, queued, assigned uint64
	ledger.IteratePrefix(st, key(tagTask), func(_, v []byte) bool {
		t := new(computev1.Task)
		ledger.DecodeState(v, t)
		finished := t.State == computev1.TaskState_TASK_STATE_DONE || t.State == computev1.TaskState_TASK_STATE_FAILED
		if finished != (t.NextDue == 0) {
			err = fmt.Errorf("compute: task %d/%d in state %s has next_due %d", t.Job, t.Index, t.State, t.NextDue)
			return false
		}
		if !finished {
			tasksDue++
		}
		for _, s := range t.Slots {
			if isOpen(s) {
				open[addr(s.Provider)]++
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	ledger.IteratePrefix(st, key(tagDue), func(_, _ []byte) bool { queued++; return true })
	if queued != tasksDue {
		err = fmt.Errorf("compute: %d tasks in the due queue, %d unfinished tasks", queued, tasksDue)
		return err
	}
	ledger.IteratePrefix(st, key(tagAssigned), func(_, _ []byte) bool { assigned++; return true })
	var openSum uint64
	ledger.IteratePrefix(st, key(tagProvider), func(_, v []byte) bool {
		p := new(computev1.Provider)
		ledger.DecodeState(v, p)
		bonds += p.Bond
		a := addr(p.Address)
		if p.Open != open[a] {
			err = fmt.Errorf("compute: provider %s counts %d open slots, tasks hold %d", a, p.Open, open[a])
			return false
		}
		openSum += p.Open
		return true
	})
	if err != nil {
		return err
	}
	if openSum != assigned {
		return fmt.Errorf("compute: %d open slots, %d assignment index entries", openSum, assigned)
	}
	if b := bank.Balance(st, Escrow); b != escrow {
		return fmt.Errorf("compute: escrow account holds %d, running jobs %d", b, escrow)
	}
	if b := bank.Balance(st, Bond); b != bonds {
		return fmt.Errorf("compute: bond account holds %d, providers' bonds %d", b, bonds)
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
