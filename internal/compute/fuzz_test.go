package compute

import (
	"testing"

	"github.com/depin-network/depin/internal/kind/compute"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

var fuzzTypes = []string{TypeRegister, TypeUnbond, TypeSetVerifier, TypeSubmitJob, TypeCommit, TypeReveal, TypeVerify}

// FuzzHandlers sends arbitrary message bytes of every type, from a
// provider, the consumer and the verifier, to a chain with a running job:
// no panic, a rejection changes nothing, the invariants hold, and block
// ends keep working.
func FuzzHandlers(f *testing.F) {
	p := hashJob(f, 2)
	h := resultFor(p, 0, "honest")
	c := Commitment(1, 0, 1, testAddr("p1"), h[:])
	seeds := [][]byte{
		mustMarshal(f, &computev1.MsgCommit{Job: 1, Task: 0, Commitment: c[:]}),
		mustMarshal(f, &computev1.MsgReveal{Job: 1, Task: 0, ResultHash: h[:]}),
		mustMarshal(f, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: []byte("abcdef"), Tasks: 2, Rounds: 2, Replicas: 1, Price: 5}),
		mustMarshal(f, &computev1.MsgRegister{Bond: bond}),
		{0xff, 0x01},
	}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i), s)
	}
	f.Fuzz(func(t *testing.T, typ, who uint8, raw []byte) {
		e, _ := setup(t, map[string]uint64{"compute.sample_bps": 5_000}, []string{"p1", "p2"}, 2, 2)
		signer := []string{"p1", "p2", "alice", "verifier"}[int(who)%4]
		for step := 0; step < 2; step++ {
			before := snapshot(e.st)
			if err := e.deliverRaw(testAddr(signer), fuzzTypes[int(typ)%len(fuzzTypes)], raw); err != nil {
				if !sameState(before, snapshot(e.st)) {
					t.Fatalf("a rejection (%v) changed state", err)
				}
			}
			if err := Invariants(e.st); err != nil {
				t.Fatal(err)
			}
			e.advanceTo(e.height + 8)
		}
	})
}
