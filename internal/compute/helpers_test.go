package compute

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/ledger/ledgertest"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

const (
	testChain = "depin-compute-test"
	funds     = 1_000_000_000_000
)

func testAddr(label string) ledger.Address {
	seed := make([]byte, 32)
	copy(seed, "compute/"+label)
	return ledger.AddressOf(sig.PublicOf(sig.KeyFromSeed(seed)))
}

type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// env is a ledger with the params, bank, proof (entropy), market and
// compute modules, driven as the app drives it: each message on an overlay
// flushed only on success, then proof's and compute's end block, then the
// invariants.
type env struct {
	t         tb
	st        *ledger.MemStore
	rt        *ledger.Router
	authority ledger.Address
	height    int64
	events    []ledger.Event
}

func newEnv(t tb, overrides map[string]uint64, funded ...string) *env {
	t.Helper()
	st := ledger.NewMemStore()
	authority := testAddr("authority")
	reg := ledgertest.Genesis(t, st, authority, overrides, ledgertest.Balances(testAddr, funds, funded...),
		Specs(), market.Specs(), credit.Specs(), bank.Specs(), reward.Specs(), proof.Specs())
	rt := ledger.NewRouter()
	reg.Register(rt)
	market.Register(rt)
	Register(rt)
	e := &env{t: t, st: st, rt: rt, authority: authority, height: 1}
	e.endBlock()
	return e
}

func (e *env) deliver(label, typ string, m proto.Message) *ledger.Error {
	e.t.Helper()
	raw, err := proto.Marshal(m)
	if err != nil {
		e.t.Fatalf("encode: %v", err)
	}
	return e.deliverRaw(testAddr(label), typ, raw)
}

func (e *env) deliverRaw(signer ledger.Address, typ string, raw []byte) *ledger.Error {
	ev, err := ledgertest.Deliver(e.t, e.rt, ledger.Context{Store: e.st, ChainID: testChain, Height: e.height, Time: e.height * 1e9, Signer: signer}, typ, raw)
	e.events = append(e.events, ev...)
	return err
}

func (e *env) must(label, typ string, m proto.Message) {
	e.t.Helper()
	if err := e.deliver(label, typ, m); err != nil {
		e.t.Fatalf("height %d: %s by %s: %v", e.height, typ, label, err)
	}
}

// endBlock runs proof's and compute's end block, checks the invariants and
// moves to the next height.
func (e *env) endBlock() {
	e.t.Helper()
	ctx := ledger.Context{Store: e.st, ChainID: testChain, Height: e.height, Time: e.height * 1e9}
	e.events = append(e.events, ledgertest.EndBlock(e.t, ctx, proof.EndBlock, EndBlock)...)
	if err := Invariants(e.st); err != nil {
		e.t.Fatalf("height %d: %v", e.height, err)
	}
	e.height++
}

func (e *env) advanceTo(h int64) {
	for e.height <= h {
		e.endBlock()
	}
}

// provider registers label as a market and compute provider.
func (e *env) provider(label string, bond uint64) {
	e.t.Helper()
	e.must(label, market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: "http://" + label + ".example"})
	e.must(label, TypeRegister, &computev1.MsgRegister{Bond: bond})
}

func (e *env) job(id uint64) *computev1.Job {
	e.t.Helper()
	j, ok := GetJob(e.st, id)
	if !ok {
		e.t.Fatalf("no job %d", id)
	}
	return j
}

func (e *env) task(job uint64, i uint32) *computev1.Task {
	e.t.Helper()
	t, ok := GetTask(e.st, job, i)
	if !ok {
		e.t.Fatalf("no task %d/%d", job, i)
	}
	return t
}

func (e *env) prov(label string) *computev1.Provider {
	e.t.Helper()
	p, ok := GetProvider(e.st, testAddr(label))
	if !ok {
		e.t.Fatalf("%s is not a compute provider", label)
	}
	return p
}

func (e *env) balance(label string) uint64 { return bank.Balance(e.st, testAddr(label)) }

// worker is a simulated provider: honest, wrong (returns a wrong result)
// or a copier (copies another provider's commitment).
type worker struct {
	label string
	mode  string // "honest", "wrong", "copy", "silent"
}

// holds reports whether the worker holds an open slot of a task.
func (e *env) holds(label string, t *computev1.Task) bool {
	a := testAddr(label)
	s := slotOf(t, a)
	return s != nil && isOpen(s)
}

// commitAll makes every worker holding an uncommitted slot of a task
// commit; a copier copies a commitment another provider made.
func (e *env) commitAll(p *compute.Prepared, job uint64, i uint32, ws []worker) {
	e.t.Helper()
	t := e.task(job, i)
	assigned := func(label string) bool {
		s := slotOf(t, testAddr(label))
		return s != nil && s.State == computev1.SlotState_SLOT_STATE_ASSIGNED
	}
	for _, w := range ws {
		if !assigned(w.label) || w.mode == "copy" || w.mode == "silent" {
			continue
		}
		h := resultFor(p, int(i), w.mode)
		c := Commitment(job, i, t.Round, testAddr(w.label), h[:])
		e.must(w.label, TypeCommit, &computev1.MsgCommit{Job: job, Task: i, Commitment: c[:]})
	}
	t = e.task(job, i)
	for _, w := range ws {
		if w.mode != "copy" || !assigned(w.label) {
			continue
		}
		for _, s := range t.Slots {
			if len(s.Commitment) > 0 {
				e.must(w.label, TypeCommit, &computev1.MsgCommit{Job: job, Task: i, Commitment: s.Commitment})
				break
			}
		}
	}
}

// revealAll makes every committed worker reveal (a copier reveals the
// honest hash it learnt from the chain).
func (e *env) revealAll(p *compute.Prepared, job uint64, i uint32, ws []worker) {
	e.t.Helper()
	t := e.task(job, i)
	for _, w := range ws {
		s := slotOf(t, testAddr(w.label))
		if s == nil || s.State != computev1.SlotState_SLOT_STATE_COMMITTED || w.mode == "silent" {
			continue
		}
		mode := w.mode
		if mode == "copy" {
			mode = "honest"
		}
		h := resultFor(p, int(i), mode)
		e.must(w.label, TypeReveal, &computev1.MsgReveal{Job: job, Task: i, ResultHash: h[:]})
	}
}

func resultFor(p *compute.Prepared, i int, mode string) [32]byte {
	r := p.Execute(i)
	if mode == "wrong" {
		r = append(bytes.Clone(r), 0xff)
	}
	return compute.ResultHash(r)
}

// runRound drives a job for one round's worth of blocks, block by block,
// as prompt agents would: every block, workers commit to tasks in their
// commit window, reveal those in their reveal window, and the verifier
// (when named) answers the tasks waiting for it.
func (e *env) runRound(p *compute.Prepared, job uint64, ws []worker, verifier string) {
	e.t.Helper()
	blocks := int(params.Get(e.st, CommitBlocks) + params.Get(e.st, RevealBlocks) + params.Get(e.st, VerifyBlocks) + 2)
	for b := 0; b < blocks; b++ {
		j := e.job(job)
		if j.State != computev1.JobState_JOB_STATE_RUNNING {
			return
		}
		for i := uint32(0); i < j.Tasks; i++ {
			t := e.task(job, i)
			switch t.State {
			case computev1.TaskState_TASK_STATE_COMMIT:
				e.commitAll(p, job, i, ws)
			case computev1.TaskState_TASK_STATE_REVEAL:
				e.revealAll(p, job, i, ws)
			case computev1.TaskState_TASK_STATE_VERIFY:
				if verifier == "" {
					continue
				}
				if v := testAddr(verifier); !bytes.Equal(t.Verifier, v[:]) {
					e.t.Fatalf("task %d/%d: verifier %x, want %s", job, i, t.Verifier, verifier)
				}
				h := resultFor(p, int(i), "honest")
				e.must(verifier, TypeVerify, &computev1.MsgVerify{Job: job, Task: i, ResultHash: h[:]})
			}
		}
		e.endBlock()
	}
}

// eventsOf returns the attributes of the events of a type, as key=value
// strings.
func (e *env) eventsOf(typ string) []string {
	var out []string
	for _, ev := range e.events {
		if ev.Type != typ {
			continue
		}
		s := ""
		for _, a := range ev.Attrs {
			s += fmt.Sprintf("%s=%s ", a.Key, a.Value)
		}
		out = append(out, s)
	}
	return out
}
