package compute

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/kind/compute"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// TestProviderProperties runs jobs on providers of random behaviour
// (honest, wrong, lazy copier, silent) with random replicas and sampling.
// After every block the invariants hold (env.endBlock); supply never
// changes; every job ends within its rounds; an honest provider is never
// slashed; and a task resolved by the verifier or by agreement of replicas
// that include an honest provider has the correct result.
func TestProviderProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, 5).Draw(rt, "providers")
		modes := []string{"honest", "wrong", "copy", "silent"}
		var ws []worker
		var labels []string
		for i := 0; i < n; i++ {
			l := fmt.Sprintf("p%d", i)
			ws = append(ws, worker{l, modes[rapid.IntRange(0, 3).Draw(rt, "mode")]})
			labels = append(labels, l)
		}
		ws[0].mode = "honest" // at least one honest provider
		e := newEnv(rt, map[string]uint64{"compute.sample_bps": rapid.Uint64Range(0, 10_000).Draw(rt, "sample")},
			append([]string{"alice", "verifier"}, labels...)...)
		for _, l := range labels {
			e.provider(l, bond)
		}
		v := testAddr("verifier")
		if err := e.deliverRaw(e.authority, TypeSetVerifier, mustMarshal(rt, &computev1.MsgSetVerifier{Verifier: v[:]})); err != nil {
			rt.Fatal(err)
		}
		supply := bank.GetSupply(e.st).Total
		tasks := uint32(rapid.IntRange(1, 4).Draw(rt, "tasks"))
		replicas := uint32(rapid.IntRange(1, n).Draw(rt, "replicas"))
		e.must("alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: tasks, Rounds: 3,
			Replicas: replicas, Price: price})
		p := hashJob(rt, int(tasks))
		for r := 0; r < 6 && e.job(1).State == computev1.JobState_JOB_STATE_RUNNING; r++ {
			e.runRound(p, 1, ws, "verifier")
		}
		if st := e.job(1).State; st == computev1.JobState_JOB_STATE_RUNNING {
			rt.Fatalf("job still running after max rounds")
		}
		if got := bank.GetSupply(e.st).Total; got != supply {
			rt.Fatalf("supply %d, want %d", got, supply)
		}
		for _, w := range ws {
			if pr := e.prov(w.label); w.mode == "honest" && pr.Slashes != 0 {
				rt.Fatalf("honest %s slashed %d times: %v", w.label, pr.Slashes, e.eventsOf("compute.slash"))
			}
		}
		for i := uint32(0); i < tasks; i++ {
			tk := e.task(1, i)
			if tk.State != computev1.TaskState_TASK_STATE_DONE {
				continue
			}
			honestAccepted := false
			for _, s := range tk.Slots {
				for _, w := range ws {
					a := testAddr(w.label)
					if w.mode == "honest" && bytes.Equal(s.Provider, a[:]) && s.State == computev1.SlotState_SLOT_STATE_ACCEPTED {
						honestAccepted = true
					}
				}
			}
			want := compute.ResultHash(p.Execute(int(i)))
			if (tk.Resolution == "verifier" || honestAccepted) && !bytes.Equal(tk.ResultHash, want[:]) {
				rt.Fatalf("task %d resolved by %s with a wrong result", i, tk.Resolution)
			}
		}
	})
}
