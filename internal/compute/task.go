package compute

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"

	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// Domains of the hashes the module computes.
const (
	sampleDomain   = "depin/compute/sample/v1"
	verifierDomain = "depin/compute/verifier/v1"
	assignDomain   = "depin/compute/assign/v1"
)

// Commitment is kind/compute.Commitment: what a provider commits for a
// task result, bound to its address.
func Commitment(job uint64, task, round uint32, prov ledger.Address, resultHash []byte) [32]byte {
	return kcompute.Commitment(job, task, round, prov, resultHash)
}

// draw hashes a domain, chain entropy and a task's round into a number.
func draw(domain string, entropy [32]byte, job uint64, task, round uint32) uint64 {
	h := sha256.New()
	h.Write([]byte(domain))
	h.Write(entropy[:])
	h.Write(ledger.U64(job))
	h.Write(u32(task))
	h.Write(u32(round))
	var out [32]byte
	h.Sum(out[:0])
	return binary.BigEndian.Uint64(out[:8])
}

// Sampled reports whether a task's round is re-executed by a verifier,
// given the entropy of its commit_end height and compute.sample_bps.
func Sampled(entropy [32]byte, job uint64, task, round uint32, sampleBps uint64) bool {
	return draw(sampleDomain, entropy, job, task, round)%10_000 < sampleBps
}

func isOpen(s *computev1.Slot) bool {
	switch s.State {
	case computev1.SlotState_SLOT_STATE_ASSIGNED, computev1.SlotState_SLOT_STATE_COMMITTED, computev1.SlotState_SLOT_STATE_REVEALED:
		return true
	}
	return false
}

// closeSlot gives an open slot its final state and releases the
// provider's open count and assignment index.
func closeSlot(st ledger.Store, t *computev1.Task, s *computev1.Slot, state computev1.SlotState, reason string) {
	if isOpen(s) {
		prov := addr(s.Provider)
		st.Delete(assignedKey(prov, t.Job, t.Index))
		if p, ok := GetProvider(st, prov); ok {
			p.Open--
			putProvider(st, p)
		}
	}
	s.State, s.Reason = state, reason
}

func onTask(t *computev1.Task, a ledger.Address) bool {
	for _, s := range t.Slots {
		if isOpen(s) && bytes.Equal(s.Provider, a[:]) {
			return true
		}
	}
	for _, x := range t.Excluded {
		if bytes.Equal(x, a[:]) {
			return true
		}
	}
	return false
}

// assign adds up to n slots for eligible providers not already on the task
// (nor excluded from it), walking the eligible list from offset. It
// returns how many it added.
func assign(st ledger.Store, t *computev1.Task, elig []ledger.Address, offset uint64, n int) int {
	added := 0
	for k := 0; k < len(elig) && added < n; k++ {
		a := elig[(offset+uint64(k))%uint64(len(elig))]
		if onTask(t, a) {
			continue
		}
		t.Slots = append(t.Slots, &computev1.Slot{Provider: a[:], State: computev1.SlotState_SLOT_STATE_ASSIGNED})
		st.Set(assignedKey(a, t.Job, t.Index), []byte{})
		p, _ := GetProvider(st, a)
		p.Open++
		putProvider(st, p)
		added++
	}
	return added
}

// entropyOffset draws an offset into the eligible list from the latest
// chain entropy.
func entropyOffset(st ledger.Store, job uint64, task, round uint32) uint64 {
	_, e, _ := proof.LatestEntropy(st)
	return draw(assignDomain, e, job, task, round)
}

// startRound starts round t.Round+1 of a task with new providers, or
// fails the task when compute.max_rounds are used or no provider is left.
func startRound(ctx *ledger.Context, j *computev1.Job, t *computev1.Task) *ledger.Error {
	st := ctx.Store
	for _, s := range t.Slots {
		if isOpen(s) {
			closeSlot(st, t, s, computev1.SlotState_SLOT_STATE_UNRESOLVED, "round_ended")
		}
	}
	if uint64(t.Round) >= params.Get(st, MaxRounds) {
		return failTask(ctx, j, t, "max_rounds")
	}
	t.Round++
	t.Slots, t.Sampled, t.Verifier, t.VerifiedHash = nil, false, nil, nil
	elig := eligible(st)
	if assign(st, t, elig, entropyOffset(st, j.Id, t.Index, t.Round), int(j.Replicas)) == 0 {
		return failTask(ctx, j, t, "no_provider")
	}
	openRound(ctx, t)
	return nil
}

// openRound sets a round's commit window from the block's height.
func openRound(ctx *ledger.Context, t *computev1.Task) {
	st := ctx.Store
	t.State = computev1.TaskState_TASK_STATE_COMMIT
	t.RoundStart = ctx.Height
	t.CommitEnd = ctx.Height + int64(params.Get(st, CommitBlocks))
	t.RevealEnd, t.VerifyEnd = 0, 0
	schedule(st, t, t.CommitEnd)
	if !ctx.NoEvents {
		var provs []byte
		for i, s := range t.Slots {
			if i > 0 {
				provs = append(provs, ',')
			}
			provs = append(provs, addr(s.Provider).String()...)
		}
		ctx.Emit("compute.round", ledger.AU64("job", t.Job), ledger.AU64("task", uint64(t.Index)),
			ledger.AU64("round", uint64(t.Round)), ledger.A("providers", string(provs)), ledger.A("commit_end", i64(t.CommitEnd)))
	}
}

// failTask ends a task without a result.
func failTask(ctx *ledger.Context, j *computev1.Job, t *computev1.Task, reason string) *ledger.Error {
	t.State = computev1.TaskState_TASK_STATE_FAILED
	t.Resolution = reason
	schedule(ctx.Store, t, 0)
	j.Failed++
	ctx.Emit("compute.task_failed", ledger.AU64("job", j.Id), ledger.AU64("task", uint64(t.Index)), ledger.A("reason", reason))
	return finishJob(ctx, j)
}

// finishJob ends a job whose tasks are all done or failed: the balance is
// refunded to the owner.
func finishJob(ctx *ledger.Context, j *computev1.Job) *ledger.Error {
	if j.Done+j.Failed < j.Tasks {
		return nil
	}
	if e := move(ctx, Escrow, addr(j.Owner), j.Balance); e != nil {
		return e
	}
	j.Refunded += j.Balance
	j.Balance = 0
	j.State = computev1.JobState_JOB_STATE_DONE
	if j.Failed > 0 {
		j.State = computev1.JobState_JOB_STATE_FAILED
	}
	j.FinishedHeight = ctx.Height
	ctx.Emit("compute.job_finished", ledger.AU64("job", j.Id), ledger.A("state", j.State.String()),
		ledger.AU64("done", uint64(j.Done)), ledger.AU64("failed", uint64(j.Failed)), ledger.AU64("paid", j.Paid),
		ledger.AU64("refunded", j.Refunded), ledger.AU64("slashed_in", j.SlashedIn))
	return nil
}

// payFromJob pays up to amount from a job's escrow.
func payFromJob(ctx *ledger.Context, j *computev1.Job, to ledger.Address, amount uint64) (uint64, *ledger.Error) {
	n := min(amount, j.Balance)
	if e := move(ctx, Escrow, to, n); e != nil {
		return 0, e
	}
	j.Balance -= n
	j.Paid += n
	return n, nil
}
