package compute

import (
	"bytes"
	"encoding/hex"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// EndBlock moves the tasks due at the block's height to their next phase,
// in (job, task) order. It visits only the due queue up to this height.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	type ref struct {
		job  uint64
		task uint32
	}
	var due []ref
	st.Iterate(key(tagDue), key(tagDue, ledger.U64(uint64(ctx.Height)+1)), func(k, _ []byte) bool {
		n := len(k)
		due = append(due, ref{ledger.ReadU64(k[n-12 : n-4]), uint32(ledger.ReadU64(append([]byte{0, 0, 0, 0}, k[n-4:]...)))})
		return true
	})
	for _, d := range due {
		j, t, e := loadTask(st, d.job, d.task)
		if e != nil {
			panic("compute: the due queue names a task that does not exist")
		}
		schedule(st, t, 0)
		switch t.State {
		case computev1.TaskState_TASK_STATE_COMMIT:
			e = closeCommit(ctx, j, t)
		case computev1.TaskState_TASK_STATE_REVEAL:
			e = closeReveal(ctx, j, t)
		case computev1.TaskState_TASK_STATE_VERIFY:
			st.Delete(verifyKey(addr(t.Verifier), t.Job, t.Index))
			e = unverified(ctx, j, t, "verifier_silent")
		default:
			panic("compute: the due queue names a finished task")
		}
		if e != nil {
			return e
		}
		putTask(st, t)
		putJob(st, j)
	}
	return nil
}

// closeCommit ends a round's commit window: slots without a commitment are
// missed, and the round is sampled for verification from the entropy of
// this height, which the commitments could not know.
func closeCommit(ctx *ledger.Context, j *computev1.Job, t *computev1.Task) *ledger.Error {
	st := ctx.Store
	committed := 0
	for _, s := range t.Slots {
		switch s.State {
		case computev1.SlotState_SLOT_STATE_ASSIGNED:
			closeSlot(st, t, s, computev1.SlotState_SLOT_STATE_MISSED, "no_commit")
		case computev1.SlotState_SLOT_STATE_COMMITTED:
			committed++
		}
	}
	if committed == 0 {
		return startRound(ctx, j, t)
	}
	e, ok := proof.Entropy(st, ctx.Height)
	t.Sampled = !ok || Sampled(e, t.Job, t.Index, t.Round, params.Get(st, SampleBps))
	t.State = computev1.TaskState_TASK_STATE_REVEAL
	t.RevealEnd = ctx.Height + int64(params.Get(st, RevealBlocks))
	schedule(st, t, t.RevealEnd)
	return nil
}

// closeReveal ends a round's reveal window: committed slots that did not
// reveal are slashed; equal reveals from all the job's replicas of an
// unsampled task are accepted; otherwise (sampled, reveals that differ, or
// fewer reveals than replicas: a partner that failed leaves a result
// nobody vouches for) a verifier is chosen. Without verifiers nobody
// slashes on a bare majority: see unverified.
func closeReveal(ctx *ledger.Context, j *computev1.Job, t *computev1.Task) *ledger.Error {
	st := ctx.Store
	var first []byte
	revealed, agree := 0, true
	for _, s := range t.Slots {
		switch s.State {
		case computev1.SlotState_SLOT_STATE_COMMITTED:
			closeSlot(st, t, s, computev1.SlotState_SLOT_STATE_SLASHED, "no_reveal")
			if e := slash(ctx, j, t, addr(s.Provider), "no_reveal"); e != nil {
				return e
			}
		case computev1.SlotState_SLOT_STATE_REVEALED:
			if revealed == 0 {
				first = s.ResultHash
			} else if !bytes.Equal(first, s.ResultHash) {
				agree = false
			}
			revealed++
		}
	}
	switch {
	case revealed == 0:
		return startRound(ctx, j, t)
	case agree && !t.Sampled && revealed >= int(j.Replicas):
		return accept(ctx, j, t, first, "agreement")
	}
	vs := Verifiers(st)
	if len(vs) == 0 {
		return unverified(ctx, j, t, "no_verifier")
	}
	e, _ := proof.Entropy(st, ctx.Height)
	v := vs[draw(verifierDomain, e, t.Job, t.Index, t.Round)%uint64(len(vs))]
	t.Verifier = v[:]
	t.State = computev1.TaskState_TASK_STATE_VERIFY
	t.VerifyEnd = ctx.Height + int64(params.Get(st, VerifyBlocks))
	st.Set(verifyKey(v, t.Job, t.Index), []byte{})
	schedule(st, t, t.VerifyEnd)
	why := "sampled"
	if !agree {
		why = "disagreement"
	}
	ctx.Emit("compute.verification", ledger.AU64("job", t.Job), ledger.AU64("task", uint64(t.Index)),
		ledger.AU64("round", uint64(t.Round)), ledger.A("verifier", v.String()), ledger.A("why", why),
		ledger.A("verify_end", i64(t.VerifyEnd)))
	return nil
}

// unverified ends a round no verifier checked (the verifier set is empty,
// or the chosen verifier did not answer). Reveals of all the job's
// replicas, at least two, that agree are accepted as unanimous; anything
// else is never settled by a bare majority, which colluders could form:
// nobody is slashed, the revealed slots close unresolved, and the task
// fails with the reason when no verifier exists (its price is refunded
// when the job ends) or starts a new round when the verifier was silent.
func unverified(ctx *ledger.Context, j *computev1.Job, t *computev1.Task, reason string) *ledger.Error {
	var first []byte
	revealed, agree := 0, true
	for _, s := range t.Slots {
		if s.State != computev1.SlotState_SLOT_STATE_REVEALED {
			continue
		}
		if revealed == 0 {
			first = s.ResultHash
		} else if !bytes.Equal(first, s.ResultHash) {
			agree = false
		}
		revealed++
	}
	if agree && revealed >= 2 && revealed >= int(j.Replicas) {
		return accept(ctx, j, t, first, "unanimous")
	}
	ctx.Emit("compute.unverified", ledger.AU64("job", t.Job), ledger.AU64("task", uint64(t.Index)),
		ledger.AU64("round", uint64(t.Round)), ledger.A("reason", reason), ledger.AU64("revealed", uint64(revealed)))
	if reason == "verifier_silent" {
		return startRound(ctx, j, t)
	}
	for _, s := range t.Slots {
		if isOpen(s) {
			closeSlot(ctx.Store, t, s, computev1.SlotState_SLOT_STATE_UNRESOLVED, reason)
		}
	}
	return failTask(ctx, j, t, reason)
}

// resolve settles a task against the result hash a verifier established: reveals equal to it are accepted, the others slashed; when
// none equals it a new round starts.
func resolve(ctx *ledger.Context, j *computev1.Job, t *computev1.Task, want []byte, how string) *ledger.Error {
	st := ctx.Store
	match := false
	for _, s := range t.Slots {
		if s.State != computev1.SlotState_SLOT_STATE_REVEALED {
			continue
		}
		if bytes.Equal(s.ResultHash, want) {
			match = true
			continue
		}
		closeSlot(st, t, s, computev1.SlotState_SLOT_STATE_SLASHED, "wrong_result")
		if e := slash(ctx, j, t, addr(s.Provider), "wrong_result"); e != nil {
			return e
		}
	}
	if !match {
		return startRound(ctx, j, t)
	}
	return accept(ctx, j, t, want, how)
}

// accept ends a task with a result: every slot that revealed it is paid
// the job's price from escrow. The task's work counts for the compute pool
// only when the result is verified (a verifier re-executed it) or
// unanimous (at least two providers revealed it): a lone unsampled reveal
// is paid but earns no pool share.
func accept(ctx *ledger.Context, j *computev1.Job, t *computev1.Task, hash []byte, how string) *ledger.Error {
	st := ctx.Store
	epoch := reward.CurrentEpoch(st).Number
	matches := 0
	for _, s := range t.Slots {
		if s.State == computev1.SlotState_SLOT_STATE_REVEALED && bytes.Equal(s.ResultHash, hash) {
			matches++
		}
	}
	credit := how == "verifier" || matches >= 2
	for _, s := range t.Slots {
		if s.State != computev1.SlotState_SLOT_STATE_REVEALED || !bytes.Equal(s.ResultHash, hash) {
			continue
		}
		prov := addr(s.Provider)
		closeSlot(st, t, s, computev1.SlotState_SLOT_STATE_ACCEPTED, how)
		paid, e := payFromJob(ctx, j, prov, j.Price)
		if e != nil {
			return e
		}
		p, _ := GetProvider(st, prov)
		p.TasksAccepted++
		p.Earned += paid // at most the supply
		if credit {
			w, ok1 := ledger.Add(p.Work, t.Work)
			ew, ok2 := ledger.Add(EpochWork(st, epoch, prov), t.Work)
			if !ok1 || !ok2 {
				return ledger.Errorf(ledger.CodeOverflow, "the work of %s overflows", prov)
			}
			p.Work = w
			ledger.SetU64(st, workKey(epoch, prov), ew)
		}
		putProvider(st, p)
	}
	t.ResultHash = bytes.Clone(hash)
	t.Resolution = how
	t.State = computev1.TaskState_TASK_STATE_DONE
	schedule(st, t, 0)
	j.Done++
	j.Work += t.Work // at most the sum of task work, which fits
	ctx.Emit("compute.task_done", ledger.AU64("job", j.Id), ledger.AU64("task", uint64(t.Index)),
		ledger.AU64("round", uint64(t.Round)), ledger.A("result_hash", hex.EncodeToString(hash)), ledger.A("resolution", how))
	return finishJob(ctx, j)
}

// reassign hands a jailed provider's uncommitted slots of tasks still in
// their commit window to other providers; the caller closed the slot that
// caused the jailing.
func reassign(ctx *ledger.Context, prov ledger.Address) {
	st := ctx.Store
	type ref struct {
		job  uint64
		task uint32
	}
	var refs []ref
	pfx := key(tagAssigned, prov[:])
	ledger.IteratePrefix(st, pfx, func(k, _ []byte) bool {
		n := len(k)
		refs = append(refs, ref{ledger.ReadU64(k[n-12 : n-4]), uint32(ledger.ReadU64(append([]byte{0, 0, 0, 0}, k[n-4:]...)))})
		return true
	})
	var elig []ledger.Address
	for _, r := range refs {
		t, ok := GetTask(st, r.job, r.task)
		if !ok || t.State != computev1.TaskState_TASK_STATE_COMMIT {
			continue
		}
		s := slotOf(t, prov)
		if s == nil || s.State != computev1.SlotState_SLOT_STATE_ASSIGNED {
			continue
		}
		closeSlot(st, t, s, computev1.SlotState_SLOT_STATE_MISSED, "provider_jailed")
		t.Excluded = append(t.Excluded, prov[:])
		if elig == nil {
			elig = eligible(st)
		}
		if len(elig) > 0 {
			assign(st, t, elig, entropyOffset(st, t.Job, t.Index, t.Round), 1)
		}
		putTask(st, t)
		ctx.Emit("compute.reassign", ledger.AU64("job", t.Job), ledger.AU64("task", uint64(t.Index)),
			ledger.AU64("round", uint64(t.Round)), ledger.A("from", prov.String()))
	}
}
