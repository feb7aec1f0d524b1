package compute

import (
	"bytes"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/kind/compute"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

const (
	bond  = 10_000_000
	price = 1_000
)

var hashInput = []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", 200))

func hashJob(t tb, tasks int) *compute.Prepared {
	p, err := compute.Prepare(compute.Job{Type: compute.TypeHash, Input: hashInput, Tasks: tasks, Rounds: 3})
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}

// setup registers providers and a verifier and submits a hash job.
func setup(t *testing.T, overrides map[string]uint64, provs []string, tasks, replicas uint32) (*env, *compute.Prepared) {
	e := newEnv(t, overrides, append([]string{"alice", "verifier"}, provs...)...)
	for _, p := range provs {
		e.provider(p, bond)
	}
	v := testAddr("verifier")
	if err := e.deliverRaw(e.authority, TypeSetVerifier, mustMarshal(t, &computev1.MsgSetVerifier{Verifier: v[:]})); err != nil {
		t.Fatal(err)
	}
	e.must("alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: tasks, Rounds: 3,
		Replicas: replicas, Price: price})
	return e, hashJob(t, int(tasks))
}

func TestHonestJob(t *testing.T) {
	provs := []string{"p1", "p2", "p3"}
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, provs, 6, 2)
	before := e.balance("alice")
	ws := []worker{{"p1", "honest"}, {"p2", "honest"}, {"p3", "honest"}}
	e.runRound(p, 1, ws, "verifier")
	j := e.job(1)
	if j.State != computev1.JobState_JOB_STATE_DONE || j.Done != 6 {
		t.Fatalf("job: state %s, %d done, want done with 6", j.State, j.Done)
	}
	// 6 tasks × 2 results paid; the verification reserve is refunded.
	if j.Paid != 12*price || j.Refunded != 6*price || e.balance("alice") != before+6*price {
		t.Errorf("paid %d refunded %d, want %d and %d", j.Paid, j.Refunded, 12*price, 6*price)
	}
	var work uint64
	for _, l := range provs {
		pr := e.prov(l)
		work += pr.Work
		if pr.Slashes != 0 || pr.Open != 0 {
			t.Errorf("%s: %d slashes, %d open", l, pr.Slashes, pr.Open)
		}
	}
	var want uint64
	for i := 0; i < 6; i++ {
		want += 2 * p.Work(i)
	}
	if work != want {
		t.Errorf("verified work: got %d, want %d", work, want)
	}
	for i := uint32(0); i < 6; i++ {
		h := compute.ResultHash(p.Execute(int(i)))
		if tk := e.task(1, i); !bytes.Equal(tk.ResultHash, h[:]) || tk.Resolution != "agreement" {
			t.Errorf("task %d: result %x (%s), want %x by agreement", i, tk.ResultHash, tk.Resolution, h)
		}
	}
}

// TestWrongResultSlashed: a provider returning wrong results disagrees
// with its honest partner, the verifier re-executes, and the wrong one is
// slashed and jailed while the honest one is paid.
func TestWrongResultSlashed(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, []string{"good1", "good2", "bad"}, 3, 2)
	ws := []worker{{"good1", "honest"}, {"good2", "honest"}, {"bad", "wrong"}}
	for r := 0; r < 3 && e.job(1).State == computev1.JobState_JOB_STATE_RUNNING; r++ {
		e.runRound(p, 1, ws, "verifier")
	}
	j := e.job(1)
	if j.State != computev1.JobState_JOB_STATE_DONE || j.Done != 3 {
		t.Fatalf("job: state %s, %d done, want done with 3", j.State, j.Done)
	}
	bad := e.prov("bad")
	if bad.Slashes == 0 || !bad.Jailed || bad.Bond >= bond || bad.TasksAccepted != 0 {
		t.Errorf("bad: %d slashes, jailed %v, bond %d, %d accepted; want slashed, jailed, no pay", bad.Slashes, bad.Jailed, bad.Bond, bad.TasksAccepted)
	}
	if j.SlashedIn != bond-bad.Bond {
		t.Errorf("job slashed_in %d, want %d", j.SlashedIn, bond-bad.Bond)
	}
	for i := uint32(0); i < 3; i++ {
		h := compute.ResultHash(p.Execute(int(i)))
		if tk := e.task(1, i); !bytes.Equal(tk.ResultHash, h[:]) {
			t.Errorf("task %d: accepted %x, want the correct %x", i, tk.ResultHash, h)
		}
	}
	if len(e.eventsOf("compute.slash")) == 0 || !strings.Contains(e.eventsOf("compute.slash")[0], "reason=wrong_result") {
		t.Errorf("slash events: %v", e.eventsOf("compute.slash"))
	}
}

// TestCopierCaught: a lazy provider copies an honest provider's commitment;
// the commitment binds the honest address, so its reveal does not open it
// and it is slashed, even though it reveals the right hash.
func TestCopierCaught(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, []string{"honest", "lazy"}, 1, 2)
	ws := []worker{{"honest", "honest"}, {"lazy", "copy"}}
	e.runRound(p, 1, ws, "verifier")
	lazy := e.prov("lazy")
	if lazy.Slashes != 1 || lazy.TasksAccepted != 0 {
		t.Errorf("lazy: %d slashes, %d accepted, want 1 and 0", lazy.Slashes, lazy.TasksAccepted)
	}
	if got := e.eventsOf("compute.slash"); len(got) != 1 || !strings.Contains(got[0], "reason=bad_reveal") {
		t.Errorf("slash events: %v", got)
	}
	if j := e.job(1); j.State != computev1.JobState_JOB_STATE_DONE || e.prov("honest").TasksAccepted != 1 {
		t.Errorf("job %s, honest accepted %d", j.State, e.prov("honest").TasksAccepted)
	}
}

// TestSampledSingleReplica: with one provider per task and every task
// sampled, a wrong result is caught by the verifier, slashed, and the task
// is reassigned to another provider whose correct result is accepted.
func TestSampledSingleReplica(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 10_000}, []string{"bad", "good"}, 2, 1)
	ws := []worker{{"bad", "wrong"}, {"good", "honest"}}
	for r := 0; r < 3 && e.job(1).State == computev1.JobState_JOB_STATE_RUNNING; r++ {
		e.runRound(p, 1, ws, "verifier")
	}
	j := e.job(1)
	if j.State != computev1.JobState_JOB_STATE_DONE {
		t.Fatalf("job %s, want done", j.State)
	}
	if e.prov("bad").Slashes == 0 {
		t.Error("the wrong provider was not slashed")
	}
	for i := uint32(0); i < 2; i++ {
		h := compute.ResultHash(p.Execute(int(i)))
		tk := e.task(1, i)
		if !bytes.Equal(tk.ResultHash, h[:]) || tk.Resolution != "verifier" {
			t.Errorf("task %d: %x by %s, want the correct hash by the verifier", i, tk.ResultHash, tk.Resolution)
		}
	}
	if e.balance("verifier") != funds+2*price && e.balance("verifier") <= funds {
		t.Errorf("verifier balance %d, want paid for its verifications", e.balance("verifier"))
	}
}

// TestSilentProviderSlashed: a provider that commits and never reveals is
// slashed; one that never commits only misses its slot and the task is
// reassigned.
func TestSilentProviderSlashed(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, []string{"a", "b", "c"}, 1, 1)
	tk := e.task(1, 0)
	holder := ""
	for _, l := range []string{"a", "b", "c"} {
		if e.holds(l, tk) {
			holder = l
		}
	}
	// The holder commits but never reveals.
	h := resultFor(p, 0, "honest")
	c := Commitment(1, 0, 1, testAddr(holder), h[:])
	e.must(holder, TypeCommit, &computev1.MsgCommit{Job: 1, Task: 0, Commitment: c[:]})
	e.advanceTo(e.task(1, 0).CommitEnd)
	e.advanceTo(e.task(1, 0).RevealEnd)
	if e.prov(holder).Slashes != 1 {
		t.Fatalf("%s: %d slashes, want 1 (no reveal)", holder, e.prov(holder).Slashes)
	}
	tk = e.task(1, 0)
	if tk.Round != 2 || tk.State != computev1.TaskState_TASK_STATE_COMMIT || e.holds(holder, tk) {
		t.Fatalf("task: round %d state %s, want round 2 without %s", tk.Round, tk.State, holder)
	}
	ws := []worker{{"a", "honest"}, {"b", "honest"}, {"c", "honest"}}
	e.runRound(p, 1, ws, "verifier")
	if j := e.job(1); j.State != computev1.JobState_JOB_STATE_DONE {
		t.Errorf("job %s, want done", j.State)
	}
}

// TestJailedReassigned: once slashed and jailed, a provider's uncommitted
// slots of tasks still in their commit window move to other providers.
func TestJailedReassigned(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, []string{"bad", "g1", "g2"}, 1, 3)
	e.commitAll(p, 1, 0, []worker{{"bad", "wrong"}, {"g1", "honest"}, {"g2", "honest"}})
	e.advanceTo(e.task(1, 0).CommitEnd)
	if err := bank.Transfer(e.st, testAddr("alice"), testAddr("g3"), 2*bond); err != nil {
		t.Fatal(err)
	}
	e.provider("g3", bond)
	e.must("alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 4, Rounds: 3,
		Replicas: 3, Price: price})
	held := 0
	for i := uint32(0); i < 4; i++ {
		if e.holds("bad", e.task(2, i)) {
			held++
		}
	}
	if held == 0 {
		t.Fatal("bad holds no slot of job 2")
	}
	// bad reveals a hash that does not open its commitment: slashed at once.
	h := resultFor(p, 0, "honest")
	e.must("bad", TypeReveal, &computev1.MsgReveal{Job: 1, Task: 0, ResultHash: h[:]})
	if !e.prov("bad").Jailed || e.prov("bad").Open != 0 {
		t.Fatalf("bad: jailed %v, %d open slots; want jailed with none", e.prov("bad").Jailed, e.prov("bad").Open)
	}
	for i := uint32(0); i < 4; i++ {
		tk := e.task(2, i)
		n := 0
		for _, s := range tk.Slots {
			if isOpen(s) {
				n++
			}
		}
		if e.holds("bad", tk) || n != 3 {
			t.Errorf("job 2 task %d: %d open slots (bad holds one: %v), want 3 without bad", i, n, e.holds("bad", tk))
		}
	}
	if got := len(e.eventsOf("compute.reassign")); got != held {
		t.Errorf("%d reassign events, want %d", got, held)
	}
	if err := e.deliver("bad", TypeRegister, &computev1.MsgRegister{Bond: 1}); err == nil || err.Code != CodeProviderJailed {
		t.Errorf("register while jailed: got %v, want provider_jailed", err)
	}
	ws := []worker{{"g1", "honest"}, {"g2", "honest"}, {"g3", "honest"}}
	e.revealAll(p, 1, 0, ws)
	e.advanceTo(e.task(1, 0).RevealEnd)
	p4 := hashJob(t, 4)
	e.runRound(p4, 2, ws, "verifier")
	// Job 1's task was left to its verifier (two reveals of three), who
	// stays silent: no bare majority settles it, a new round does.
	if tk := e.task(1, 0); tk.Round != 2 || len(e.eventsOf("compute.unverified")) != 1 {
		t.Errorf("job 1 task 0: round %d, %d unverified events; want a new round after the silent verifier", tk.Round, len(e.eventsOf("compute.unverified")))
	}
	e.runRound(p, 1, ws, "verifier")
	if e.job(1).State != computev1.JobState_JOB_STATE_DONE || e.job(2).State != computev1.JobState_JOB_STATE_DONE {
		t.Errorf("jobs: %s and %s, want both done", e.job(1).State, e.job(2).State)
	}
}

func mustMarshal(t tb, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return b
}
