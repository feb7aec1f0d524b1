package compute

import (
	"bytes"
	"crypto/sha256"

	"github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// Message type names.
const (
	TypeRegister    = "compute/register"
	TypeUnbond      = "compute/unbond"
	TypeSetVerifier = "compute/set-verifier"
	TypeSubmitJob   = "compute/submit-job"
	TypeCommit      = "compute/commit"
	TypeReveal      = "compute/reveal"
	TypeVerify      = "compute/verify"
)

// Register adds the compute messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeRegister, handleRegister)
	rt.Add(TypeUnbond, handleUnbond)
	rt.Add(TypeSetVerifier, handleSetVerifier)
	rt.Add(TypeSubmitJob, handleSubmitJob)
	rt.Add(TypeCommit, handleCommit)
	rt.Add(TypeReveal, handleReveal)
	rt.Add(TypeVerify, handleVerify)
}

// Deposit is what a job escrows: price × tasks × (replicas + 1), each
// task's replicas results and one verification; false on overflow.
func Deposit(price uint64, tasks, replicas uint32) (uint64, bool) {
	a, ok1 := mul(price, uint64(tasks))
	b, ok2 := mul(a, uint64(replicas)+1)
	return b, ok1 && ok2
}

func mul(a, b uint64) (uint64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	return c, c/b == a
}

func handleSubmitJob(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m computev1.MsgSubmitJob
	if e := ledger.Unmarshal(TypeSubmitJob, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	if max := params.Get(st, MaxTasks); m.Tasks == 0 || uint64(m.Tasks) > max {
		return ledger.Errorf(CodeInvalidJob, "%d tasks, want 1-%d", m.Tasks, max)
	}
	if max := params.Get(st, MaxReplicas); m.Replicas == 0 || uint64(m.Replicas) > max {
		return ledger.Errorf(CodeInvalidJob, "%d replicas, want 1-%d", m.Replicas, max)
	}
	// One replica is checked only by a verifier: without any, its result
	// would be accepted on the provider's word.
	if m.Replicas < 2 && len(Verifiers(st)) == 0 {
		return ledger.Errorf(CodeUnverifiable, "a job of %d replica needs a verifier, and the verifier set is empty", m.Replicas)
	}
	if m.Price == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "the price per task must be positive")
	}
	p, err := compute.Prepare(compute.Job{Type: m.Type, Input: m.Input, Tasks: int(m.Tasks), Rounds: int(m.Rounds)})
	if err != nil {
		return ledger.Errorf(CodeInvalidJob, "%v", err)
	}
	deposit, ok := Deposit(m.Price, m.Tasks, m.Replicas)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "the deposit price × tasks × (replicas+1) overflows")
	}
	elig := eligible(st)
	if len(elig) < int(m.Replicas) {
		return ledger.Errorf(CodeNotEnoughProviders, "%d eligible compute providers, the job wants %d per task", len(elig), m.Replicas)
	}
	if e := move(ctx, ctx.Signer, Escrow, deposit); e != nil {
		return e
	}
	id := ledger.GetU64(st, key(tagNextJob)) + 1
	ledger.SetU64(st, key(tagNextJob), id)
	in := sha256.Sum256(m.Input)
	j := &computev1.Job{
		Id: id, Owner: ctx.Signer[:], Type: m.Type, Tasks: m.Tasks, Rounds: m.Rounds, Replicas: m.Replicas,
		Price: m.Price, InputHash: in[:], State: computev1.JobState_JOB_STATE_RUNNING, Deposit: deposit,
		Balance: deposit, CreatedHeight: ctx.Height,
	}
	st.Set(inputKey(id), bytes.Clone(m.Input))
	st.Set(ownerJobKey(ctx.Signer, id), []byte{})
	// Task i's providers start at offset + i·replicas in the eligible
	// list, so consecutive tasks spread over all providers.
	off := entropyOffset(st, id, 0, 0)
	for i := uint32(0); i < m.Tasks; i++ {
		t := &computev1.Task{Job: id, Index: i, Round: 1, Work: p.Work(int(i))}
		assign(st, t, elig, off+uint64(i)*uint64(m.Replicas), int(m.Replicas))
		openRound(ctx, t)
		putTask(st, t)
	}
	putJob(st, j)
	ctx.Emit("compute.job_submitted", ledger.AU64("job", id), ledger.A("owner", ctx.SignerString()), ledger.A("type", m.Type),
		ledger.AU64("tasks", uint64(m.Tasks)), ledger.AU64("replicas", uint64(m.Replicas)), ledger.AU64("price", m.Price),
		ledger.AU64("deposit", deposit))
	return nil
}

// loadTask loads a running job and one of its tasks.
func loadTask(st ledger.Store, job uint64, i uint32) (*computev1.Job, *computev1.Task, *ledger.Error) {
	j, ok := GetJob(st, job)
	if !ok {
		return nil, nil, ledger.Errorf(CodeUnknownJob, "no job %d", job)
	}
	t, ok := GetTask(st, job, i)
	if !ok {
		return nil, nil, ledger.Errorf(CodeUnknownTask, "job %d has no task %d", job, i)
	}
	return j, t, nil
}

// slotOf returns the signer's open slot of a task's round.
func slotOf(t *computev1.Task, a ledger.Address) *computev1.Slot {
	for _, s := range t.Slots {
		if bytes.Equal(s.Provider, a[:]) && s.State != computev1.SlotState_SLOT_STATE_MISSED {
			return s
		}
	}
	return nil
}

func wrongPhase(t *computev1.Task, want string) *ledger.Error {
	return ledger.Errorf(CodeWrongPhase, "task %d/%d is in phase %s (round %d), not %s", t.Job, t.Index, phaseName(t.State), t.Round, want)
}

func phaseName(s computev1.TaskState) string {
	switch s {
	case computev1.TaskState_TASK_STATE_COMMIT:
		return "commit"
	case computev1.TaskState_TASK_STATE_REVEAL:
		return "reveal"
	case computev1.TaskState_TASK_STATE_VERIFY:
		return "verify"
	case computev1.TaskState_TASK_STATE_DONE:
		return "done"
	case computev1.TaskState_TASK_STATE_FAILED:
		return "failed"
	}
	return "unknown"
}

func handleCommit(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m computev1.MsgCommit
	if e := ledger.Unmarshal(TypeCommit, raw, &m); e != nil {
		return e
	}
	if len(m.Commitment) != 32 {
		return ledger.Errorf(CodeBadHash, "a commitment has 32 bytes, not %d", len(m.Commitment))
	}
	st := ctx.Store
	_, t, e := loadTask(st, m.Job, m.Task)
	if e != nil {
		return e
	}
	if t.State != computev1.TaskState_TASK_STATE_COMMIT {
		return wrongPhase(t, "commit")
	}
	s := slotOf(t, ctx.Signer)
	if s == nil {
		return ledger.Errorf(CodeNotAssigned, "%s holds no slot of task %d/%d round %d", ctx.Signer, t.Job, t.Index, t.Round)
	}
	if s.State != computev1.SlotState_SLOT_STATE_ASSIGNED {
		return ledger.Errorf(CodeAlreadyCommitted, "%s committed task %d/%d round %d already", ctx.Signer, t.Job, t.Index, t.Round)
	}
	if p, ok := GetProvider(st, ctx.Signer); ok && p.Jailed {
		return ledger.Errorf(CodeProviderJailed, "%s is jailed until height %d", ctx.Signer, p.JailedUntil)
	}
	s.Commitment = bytes.Clone(m.Commitment)
	s.State = computev1.SlotState_SLOT_STATE_COMMITTED
	putTask(st, t)
	ctx.Emit("compute.commit", ledger.AU64("job", t.Job), ledger.AU64("task", uint64(t.Index)),
		ledger.AU64("round", uint64(t.Round)), ledger.A("provider", ctx.SignerString()))
	return nil
}

func handleReveal(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m computev1.MsgReveal
	if e := ledger.Unmarshal(TypeReveal, raw, &m); e != nil {
		return e
	}
	if len(m.ResultHash) != 32 {
		return ledger.Errorf(CodeBadHash, "a result hash has 32 bytes, not %d", len(m.ResultHash))
	}
	st := ctx.Store
	j, t, e := loadTask(st, m.Job, m.Task)
	if e != nil {
		return e
	}
	if t.State != computev1.TaskState_TASK_STATE_REVEAL {
		return wrongPhase(t, "reveal")
	}
	s := slotOf(t, ctx.Signer)
	if s == nil {
		return ledger.Errorf(CodeNotAssigned, "%s holds no slot of task %d/%d round %d", ctx.Signer, t.Job, t.Index, t.Round)
	}
	if s.State != computev1.SlotState_SLOT_STATE_COMMITTED {
		return ledger.Errorf(CodeAlreadyCommitted, "%s's slot of task %d/%d round %d is %s, not committed", ctx.Signer, t.Job, t.Index, t.Round, s.State)
	}
	c := Commitment(t.Job, t.Index, t.Round, ctx.Signer, m.ResultHash)
	s.ResultHash = bytes.Clone(m.ResultHash)
	if !bytes.Equal(c[:], s.Commitment) {
		// The reveal is recorded and punished: the commitment was made
		// for another provider or another result (a copied commitment).
		closeSlot(st, t, s, computev1.SlotState_SLOT_STATE_SLASHED, "bad_reveal")
		if e := slash(ctx, j, t, ctx.Signer, "bad_reveal"); e != nil {
			return e
		}
	} else {
		s.State = computev1.SlotState_SLOT_STATE_REVEALED
		ctx.Emit("compute.reveal", ledger.AU64("job", t.Job), ledger.AU64("task", uint64(t.Index)),
			ledger.AU64("round", uint64(t.Round)), ledger.A("provider", ctx.SignerString()))
	}
	putTask(st, t)
	putJob(st, j)
	return nil
}

func handleVerify(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m computev1.MsgVerify
	if e := ledger.Unmarshal(TypeVerify, raw, &m); e != nil {
		return e
	}
	if len(m.ResultHash) != 32 {
		return ledger.Errorf(CodeBadHash, "a result hash has 32 bytes, not %d", len(m.ResultHash))
	}
	st := ctx.Store
	j, t, e := loadTask(st, m.Job, m.Task)
	if e != nil {
		return e
	}
	if t.State != computev1.TaskState_TASK_STATE_VERIFY {
		return wrongPhase(t, "verify")
	}
	if !bytes.Equal(t.Verifier, ctx.Signer[:]) {
		return ledger.Errorf(CodeNotVerifier, "%s is not the verifier of task %d/%d round %d", ctx.Signer, t.Job, t.Index, t.Round)
	}
	st.Delete(verifyKey(ctx.Signer, t.Job, t.Index))
	t.VerifiedHash = bytes.Clone(m.ResultHash)
	paid, e := payFromJob(ctx, j, ctx.Signer, j.Price)
	if e != nil {
		return e
	}
	ctx.Emit("compute.verify", ledger.AU64("job", t.Job), ledger.AU64("task", uint64(t.Index)),
		ledger.AU64("round", uint64(t.Round)), ledger.A("verifier", ctx.SignerString()), ledger.AU64("paid", paid))
	if e := resolve(ctx, j, t, m.ResultHash, "verifier"); e != nil {
		return e
	}
	putTask(st, t)
	putJob(st, j)
	return nil
}
