package compute

import (
	"testing"

	"github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/reward"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// noVerifierEnv registers providers and no verifier.
func noVerifierEnv(t *testing.T, overrides map[string]uint64, provs []string) *env {
	e := newEnv(t, overrides, append([]string{"alice"}, provs...)...)
	for _, p := range provs {
		e.provider(p, bond)
	}
	return e
}

// TestSingleReplicaNeedsVerifier: with an empty verifier set a job of one
// replica is refused (nothing changes); two replicas are accepted.
func TestSingleReplicaNeedsVerifier(t *testing.T) {
	e := noVerifierEnv(t, nil, []string{"p1", "p2"})
	before, bal := snapshot(e.st), e.balance("alice")
	err := e.deliver("alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 2, Rounds: 3,
		Replicas: 1, Price: price})
	if err == nil || err.Code != CodeUnverifiable {
		t.Fatalf("a single-replica job without verifiers: got %v, want job_unverifiable", err)
	}
	if !sameState(before, snapshot(e.st)) || e.balance("alice") != bal {
		t.Error("a refused job changed state")
	}
	e.must("alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 2, Rounds: 3,
		Replicas: 2, Price: price})
}

// TestColludingMajorityNotTrusted: with no verifier, two colluders out of
// three replicas agree on a wrong result; the bare majority slashes nobody
// and accepts nothing: the task fails unverified and the job's escrow
// goes back to its owner.
func TestColludingMajorityNotTrusted(t *testing.T) {
	e := noVerifierEnv(t, map[string]uint64{"compute.sample_bps": 0}, []string{"c1", "c2", "honest"})
	start := e.balance("alice")
	e.must("alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 1, Rounds: 3,
		Replicas: 3, Price: price})
	p := hashJob(t, 1)
	e.runRound(p, 1, []worker{{"c1", "wrong"}, {"c2", "wrong"}, {"honest", "honest"}}, "")
	j, tk := e.job(1), e.task(1, 0)
	if j.State != computev1.JobState_JOB_STATE_FAILED || tk.State != computev1.TaskState_TASK_STATE_FAILED || tk.Resolution != "no_verifier" {
		t.Fatalf("job %s, task %s (%s); want failed, no_verifier", j.State, tk.State, tk.Resolution)
	}
	for _, l := range []string{"c1", "c2", "honest"} {
		if pr := e.prov(l); pr.Slashes != 0 || pr.Jailed || pr.Work != 0 {
			t.Errorf("%s: %d slashes, jailed %v, work %d; want untouched", l, pr.Slashes, pr.Jailed, pr.Work)
		}
	}
	for _, s := range tk.Slots {
		if s.State != computev1.SlotState_SLOT_STATE_UNRESOLVED || s.Reason != "no_verifier" {
			t.Errorf("slot %s (%s), want unresolved no_verifier", s.State, s.Reason)
		}
	}
	if j.Paid != 0 || e.balance("alice") != start {
		t.Errorf("owner: paid %d, balance %d; want everything refunded (%d)", j.Paid, e.balance("alice"), start)
	}
}

// TestUnanimousWithoutVerifier: with no verifier, a sampled task whose
// replicas all agree is accepted as unanimous and its work counts.
func TestUnanimousWithoutVerifier(t *testing.T) {
	e := noVerifierEnv(t, map[string]uint64{"compute.sample_bps": 10_000}, []string{"p1", "p2"})
	e.must("alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 1, Rounds: 3,
		Replicas: 2, Price: price})
	p := hashJob(t, 1)
	e.runRound(p, 1, []worker{{"p1", "honest"}, {"p2", "honest"}}, "")
	if tk := e.task(1, 0); tk.State != computev1.TaskState_TASK_STATE_DONE || tk.Resolution != "unanimous" {
		t.Fatalf("task %s (%s), want done, unanimous", tk.State, tk.Resolution)
	}
	if e.prov("p1").Work == 0 || e.prov("p2").Work == 0 {
		t.Error("unanimous work did not count")
	}
}

// TestSampledSingleReplicaVerifierGone: a single-replica job whose
// verifier set empties before its sampled task is checked is not accepted
// on the provider's word: the task fails unverified, nobody is paid.
func TestSampledSingleReplicaVerifierGone(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 10_000}, []string{"p1"}, 1, 1)
	v := testAddr("verifier")
	if err := e.deliverRaw(e.authority, TypeSetVerifier, mustMarshal(t, &computev1.MsgSetVerifier{Verifier: v[:], Remove: true})); err != nil {
		t.Fatal(err)
	}
	e.runRound(p, 1, []worker{{"p1", "wrong"}}, "")
	if tk := e.task(1, 0); tk.State != computev1.TaskState_TASK_STATE_FAILED || tk.Resolution != "no_verifier" {
		t.Fatalf("task %s (%s), want failed, no_verifier", tk.State, tk.Resolution)
	}
	if pr := e.prov("p1"); pr.TasksAccepted != 0 || pr.Slashes != 0 {
		t.Errorf("p1: %d accepted, %d slashes; want neither", pr.TasksAccepted, pr.Slashes)
	}
}

// TestLoneRevealEarnsNoPool: an unsampled single-replica task is paid but
// its unverified work earns no compute pool share.
func TestLoneRevealEarnsNoPool(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, []string{"p1"}, 2, 1)
	e.runRound(p, 1, []worker{{"p1", "honest"}}, "verifier")
	if j := e.job(1); j.State != computev1.JobState_JOB_STATE_DONE || j.Paid != 2*price {
		t.Fatalf("job %s paid %d, want done and %d paid", j.State, j.Paid, 2*price)
	}
	if _, total, _ := EpochWorks(e.st, reward.CurrentEpoch(e.st).Number); total != 0 || e.prov("p1").Work != 0 {
		t.Errorf("lone unverified work counted: epoch %d, provider %d", total, e.prov("p1").Work)
	}
}
