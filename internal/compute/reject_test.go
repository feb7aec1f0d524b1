package compute

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// snapshot is every state entry, to check that a rejection wrote nothing.
func snapshot(st *ledger.MemStore) [][2][]byte {
	var out [][2][]byte
	st.Iterate(nil, nil, func(k, v []byte) bool {
		out = append(out, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		return true
	})
	return out
}

func sameState(a, b [][2][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i][0], b[i][0]) || !bytes.Equal(a[i][1], b[i][1]) {
			return false
		}
	}
	return true
}

func TestRejections(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, []string{"p1", "p2"}, 2, 2)
	h := resultFor(p, 0, "honest")
	c := Commitment(1, 0, 1, testAddr("p1"), h[:])
	for _, c := range []struct {
		name, signer, typ string
		msg               proto.Message
		want              ledger.Code
	}{
		{"register without market provider", "alice", TypeRegister, &computev1.MsgRegister{Bond: bond}, CodeNotMarketProvider},
		{"unbond unknown", "alice", TypeUnbond, &computev1.MsgUnbond{}, CodeUnknownProvider},
		{"unbond busy", "p1", TypeUnbond, &computev1.MsgUnbond{}, CodeProviderBusy},
		{"set verifier not authority", "alice", TypeSetVerifier, &computev1.MsgSetVerifier{Verifier: make([]byte, 20)}, ledger.CodeUnauthorized},
		{"job zero tasks", "alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Rounds: 1, Replicas: 1, Price: 1}, CodeInvalidJob},
		{"job bad type", "alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: "mine", Input: hashInput, Tasks: 1, Replicas: 1, Price: 1}, CodeInvalidJob},
		{"job bad scene", "alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeRender, Input: []byte("{}"), Tasks: 1, Replicas: 1, Price: 1}, CodeInvalidJob},
		{"job too many replicas", "alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 1, Rounds: 1, Replicas: 3, Price: 1}, CodeNotEnoughProviders},
		{"job free", "alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 1, Rounds: 1, Replicas: 1}, ledger.CodeInvalidAmount},
		{"job overflow", "alice", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 2, Rounds: 1, Replicas: 2, Price: 1 << 62}, ledger.CodeOverflow},
		{"job unaffordable", "p1", TypeSubmitJob, &computev1.MsgSubmitJob{Type: compute.TypeHash, Input: hashInput, Tasks: 2, Rounds: 1, Replicas: 2, Price: funds}, ledger.CodeInsufficientFunds},
		{"commit unknown job", "p1", TypeCommit, &computev1.MsgCommit{Job: 9, Commitment: c[:]}, CodeUnknownJob},
		{"commit unknown task", "p1", TypeCommit, &computev1.MsgCommit{Job: 1, Task: 9, Commitment: c[:]}, CodeUnknownTask},
		{"commit short", "p1", TypeCommit, &computev1.MsgCommit{Job: 1, Commitment: c[:31]}, CodeBadHash},
		{"commit not assigned", "alice", TypeCommit, &computev1.MsgCommit{Job: 1, Commitment: c[:]}, CodeNotAssigned},
		{"reveal in commit phase", "p1", TypeReveal, &computev1.MsgReveal{Job: 1, ResultHash: h[:]}, CodeWrongPhase},
		{"verify in commit phase", "verifier", TypeVerify, &computev1.MsgVerify{Job: 1, ResultHash: h[:]}, CodeWrongPhase},
	} {
		before := snapshot(e.st)
		err := e.deliver(c.signer, c.typ, c.msg)
		if err == nil || err.Code != c.want {
			t.Errorf("%s: got %v, want code %d", c.name, err, c.want)
		}
		if !sameState(before, snapshot(e.st)) {
			t.Errorf("%s: a rejection changed state", c.name)
		}
	}
	e.must("p1", TypeCommit, &computev1.MsgCommit{Job: 1, Commitment: c[:]})
	if err := e.deliver("p1", TypeCommit, &computev1.MsgCommit{Job: 1, Commitment: c[:]}); err == nil || err.Code != CodeAlreadyCommitted {
		t.Errorf("second commit: got %v, want already_committed", err)
	}
}

// TestPoolProRata: the compute pool is split pro-rata to verified or
// unanimous work, the remainder to the treasury, and the epoch's work is
// forgotten.
func TestPoolProRata(t *testing.T) {
	e, p := setup(t, map[string]uint64{"compute.sample_bps": 0}, []string{"p1", "p2", "p3"}, 5, 2)
	e.runRound(p, 1, []worker{{"p1", "honest"}, {"p2", "honest"}, {"p3", "honest"}}, "verifier")
	epoch := reward.CurrentEpoch(e.st).Number
	works, total, _ := EpochWorks(e.st, epoch)
	if len(works) == 0 || total != 2*uint64(len(hashInput))*3 {
		t.Fatalf("epoch work: %v total %d, want %d", works, total, 2*len(hashInput)*3)
	}
	before := map[ledger.Address]uint64{}
	for _, w := range works {
		before[w.Provider] = bank.Balance(e.st, w.Provider)
	}
	treasury := bank.Balance(e.st, Treasury)
	const amount = 1_000_003
	ctx := &ledger.Context{Store: e.st, Height: e.height}
	if err := PayPool(ctx, epoch, reward.Pool{Name: "compute", Recipient: reward.RecipientCompute}, amount); err != nil {
		t.Fatal(err)
	}
	var paid uint64
	for _, w := range works {
		got := bank.Balance(e.st, w.Provider) - before[w.Provider]
		want := amount * w.Work / total
		if got != want {
			t.Errorf("%s: got %d, want %d", w.Provider, got, want)
		}
		paid += got
	}
	if rest := bank.Balance(e.st, Treasury) - treasury; rest != amount-paid {
		t.Errorf("treasury got %d, want %d", rest, amount-paid)
	}
	if _, total, _ := EpochWorks(e.st, epoch); total != 0 {
		t.Errorf("work left after payment: %d", total)
	}
}
