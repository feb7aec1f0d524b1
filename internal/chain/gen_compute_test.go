package chain_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/compute"
	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// Compute messages for the determinism generator. A compute tx can slash
// and reassign other providers' slots, so at most one compute tx goes in
// a block (the computeLock party); slashes of the end block come after
// every tx. Providers whose address starts with an even byte return wrong
// results (their commitments open: the verifier or the majority catches
// them).

var computeLock = ledger.ModuleAddress("gen_compute_lock")

var genJobInput = []byte("determinism generator input: a hash job of a few blocks of bytes")

func genJob() *kcompute.Prepared {
	p, err := kcompute.Prepare(kcompute.Job{Type: kcompute.TypeHash, Input: genJobInput, Tasks: 2, Rounds: 2})
	if err != nil {
		panic(err)
	}
	return p
}

func genResult(prov ledger.Address, task uint32) [32]byte {
	r := genJob().Execute(int(task))
	if prov[0]%2 == 0 {
		r = append(r, prov[0])
	}
	return kcompute.ResultHash(r)
}

func (g *gen) computeValid(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	if g.used[computeLock] {
		return planned{}, false
	}
	if _, isProv := compute.GetProvider(g.st, addrFor(name)); !isProv && g.isProvider(name) {
		g.used[computeLock] = true
		return ok(compute.TypeRegister, marketMsg(compute.TypeRegister, &computev1.MsgRegister{Bond: params.Get(g.st, compute.MinBond)}))
	}
	if p, ok := g.computeDue(name); ok {
		return p, true
	}
	if g.side(name, "job", 100) < 30 {
		return g.computeSubmit(name)
	}
	return planned{}, false
}

// computeSubmit plans a job when enough providers are eligible.
func (g *gen) computeSubmit(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	var elig int
	for _, a := range append(slices.Clone(g.funded), g.admins...) {
		if cp, ok := compute.GetProvider(g.st, addrFor(a)); ok && !cp.Jailed && cp.Bond >= params.Get(g.st, compute.MinBond) {
			elig++
		}
	}
	// One replica needs a verifier (compute.CodeUnverifiable).
	least := 1
	if len(compute.Verifiers(g.st)) == 0 {
		least = 2
	}
	if elig < least {
		return planned{}, false
	}
	g.used[computeLock] = true
	return ok(compute.TypeSubmitJob, marketMsg(compute.TypeSubmitJob, &computev1.MsgSubmitJob{Type: kcompute.TypeHash,
		Input: genJobInput, Tasks: 2, Rounds: 2, Replicas: uint32(least + g.side(name, "replicas", min(elig, 2)-least+1)), Price: uint64(1 + g.side(name, "price", 1_000))}))
}

// computeDue plans the commit, reveal or verify of a task that names
// name and is due now, if any.
func (g *gen) computeDue(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	if g.used[computeLock] {
		return planned{}, false
	}
	me := addrFor(name)
	p, isProv := compute.GetProvider(g.st, me)
	h := g.height()
	// Tasks that name this account: commit, reveal or verify.
	for id := uint64(1); ; id++ {
		j, found := compute.GetJob(g.st, id)
		if !found {
			break
		}
		for i := uint32(0); i < j.Tasks; i++ {
			t, _ := compute.GetTask(g.st, id, i)
			if t.State == computev1.TaskState_TASK_STATE_VERIFY && bytes.Equal(t.Verifier, me[:]) && t.VerifyEnd >= h {
				r := kcompute.ResultHash(genJob().Execute(int(i)))
				g.used[computeLock] = true
				return ok(compute.TypeVerify, marketMsg(compute.TypeVerify, &computev1.MsgVerify{Job: id, Task: i, ResultHash: r[:]}))
			}
			if !isProv || p.Jailed {
				continue
			}
			for _, s := range t.Slots {
				if !bytes.Equal(s.Provider, me[:]) {
					continue
				}
				r := genResult(me, i)
				switch {
				case t.State == computev1.TaskState_TASK_STATE_COMMIT && s.State == computev1.SlotState_SLOT_STATE_ASSIGNED && t.CommitEnd >= h:
					c := compute.Commitment(id, i, t.Round, me, r[:])
					g.used[computeLock] = true
					return ok(compute.TypeCommit, marketMsg(compute.TypeCommit, &computev1.MsgCommit{Job: id, Task: i, Commitment: c[:]}))
				case t.State == computev1.TaskState_TASK_STATE_REVEAL && s.State == computev1.SlotState_SLOT_STATE_COMMITTED && t.RevealEnd >= h:
					g.used[computeLock] = true
					return ok(compute.TypeReveal, marketMsg(compute.TypeReveal, &computev1.MsgReveal{Job: id, Task: i, ResultHash: r[:]}))
				}
			}
		}
	}
	return planned{}, false
}

func (g *gen) computeInvalid(name string) (planned, bool) {
	bad := func(label string, code ledger.Code, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: code, label: "bad:" + label}, true
	}
	switch g.side(name, "invalid", 2) {
	case 0:
		return bad("compute_short_commitment", compute.CodeBadHash, marketMsg(compute.TypeCommit, &computev1.MsgCommit{Job: 1, Commitment: []byte{1}}))
	default:
		return bad("compute_no_tasks", compute.CodeInvalidJob, marketMsg(compute.TypeSubmitJob, &computev1.MsgSubmitJob{Type: kcompute.TypeHash,
			Input: genJobInput, Rounds: 1, Replicas: 1, Price: 1}))
	}
}

func must(p planned, _ bool) planned { return p }

// side draws a number in [0, n) from the block height, the account and a
// salt, without taking from g.pick: the compute and relay txs replace
// plain sends without shifting what the generator picks for the others.
func (g *gen) side(name, salt string, n int) int {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d/%s/%s", g.height(), name, salt)))
	return int(binary.BigEndian.Uint64(h[:8]) % uint64(n))
}
