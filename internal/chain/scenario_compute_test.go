package chain_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/depin-network/depin/internal/compute"
	kcompute "github.com/depin-network/depin/internal/kind/compute"
	relaymod "github.com/depin-network/depin/internal/relay"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// Compute commands of the scenario files. Jobs are the determinism
// generator's hash job (genJobInput, 2 tasks, 2 rounds); results are
// computed here:
//
//	tx <p> compute/register bond=<upin>
//	tx <auth> compute/set-verifier verifier=<name>
//	tx <c> compute/submit-job [tasks=2] [replicas=<n>] [price=<upin>]
//	tx <p> compute/commit job=<id> task=<i> [wrong=1] [copy=<name>]
//	       (copy commits the commitment <name> would make: a lazy copier)
//	tx <p> compute/reveal job=<id> task=<i> [wrong=1]
//	tx <v> compute/verify job=<id> task=<i>
//	dump jobs | compute-providers

func nameComputeAccounts(names map[string]string) {
	names[compute.Escrow.String()] = "compute_escrow"
	names[compute.Bond.String()] = "compute_bond"
	names[relaymod.Escrow.String()] = "relay_escrow"
}

func (s *scenario) computeResult(task uint64, wrong bool) [32]byte {
	r := genJob().Execute(int(task))
	if wrong {
		r = append(r, 0xff)
	}
	return kcompute.ResultHash(r)
}

// computeMessage encodes a compute message of a tx command.
func (s *scenario) computeMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case compute.TypeRegister:
		return mustMarshal(&computev1.MsgRegister{Bond: a.optU64("bond", compute.MinBond.Default)}), true
	case compute.TypeSetVerifier:
		return mustMarshal(&computev1.MsgSetVerifier{Verifier: s.addrBytes(a.take("verifier"))}), true
	case compute.TypeSubmitJob:
		return mustMarshal(&computev1.MsgSubmitJob{Type: kcompute.TypeHash, Input: genJobInput, Tasks: uint32(a.optU64("tasks", 2)),
			Rounds: 2, Replicas: uint32(a.optU64("replicas", 1)), Price: a.optU64("price", 100)}), true
	case compute.TypeCommit:
		job, task := a.optU64("job", 1), a.optU64("task", 0)
		s.requireApp()
		t, _ := compute.GetTask(s.app.Committed(), job, uint32(task))
		round := uint32(1)
		if t != nil {
			round = t.Round
		}
		who := a.opt("copy", s.signer)
		h := s.computeResult(task, a.opt("wrong", "") == "1")
		c := compute.Commitment(job, uint32(task), round, s.addr(who), h[:])
		return mustMarshal(&computev1.MsgCommit{Job: job, Task: uint32(task), Commitment: c[:]}), true
	case compute.TypeReveal:
		task := a.optU64("task", 0)
		h := s.computeResult(task, a.opt("wrong", "") == "1")
		return mustMarshal(&computev1.MsgReveal{Job: a.optU64("job", 1), Task: uint32(task), ResultHash: h[:]}), true
	case compute.TypeVerify:
		task := a.optU64("task", 0)
		h := s.computeResult(task, false)
		return mustMarshal(&computev1.MsgVerify{Job: a.optU64("job", 1), Task: uint32(task), ResultHash: h[:]}), true
	}
	return nil, false
}

// computeDump prints jobs with their tasks, or the compute providers.
func (s *scenario) computeDump(b *strings.Builder, what string) bool {
	st := s.app.Committed()
	switch what {
	case "jobs":
		for id := uint64(1); ; id++ {
			j, ok := compute.GetJob(st, id)
			if !ok {
				break
			}
			v := compute.ViewJob(j)
			fmt.Fprintf(b, "job %d %s done=%d failed=%d deposit=%d paid=%d refunded=%d slashed_in=%d balance=%d\n",
				v.ID, v.State, v.Done, v.Failed, v.Deposit, v.Paid, v.Refunded, v.SlashedIn, v.Balance)
			for i := uint32(0); i < j.Tasks; i++ {
				t, _ := compute.GetTask(st, id, i)
				tv := compute.ViewTask(t)
				fmt.Fprintf(b, "  task %d round=%d %s sampled=%v resolution=%s\n", i, tv.Round, tv.State, tv.Sampled, tv.Resolution)
				for _, sl := range t.Slots {
					fmt.Fprintf(b, "    %s %s %s\n", s.names[addrOf(sl.Provider).String()], strings.ToLower(strings.TrimPrefix(sl.State.String(), "SLOT_STATE_")), sl.Reason)
				}
			}
		}
	case "compute-providers":
		var names []string
		for _, n := range s.names {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			p, ok := compute.GetProvider(st, addrFor(n))
			if !ok {
				continue
			}
			fmt.Fprintf(b, "%s bond=%d jailed=%v work=%d accepted=%d slashes=%d slashed=%d earned=%d open=%d\n",
				n, p.Bond, p.Jailed, p.Work, p.TasksAccepted, p.Slashes, p.Slashed, p.Earned, p.Open)
		}
	default:
		return false
	}
	return true
}
