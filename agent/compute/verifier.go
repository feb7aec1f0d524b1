package compute

import (
	"context"

	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
)

// Verifier re-executes the tasks the chain sampled for Addr.
type Verifier struct {
	Chain Chain
	Addr  ledger.Address
	jobs  map[uint64]*kcompute.Prepared
}

// Step verifies every task waiting for the verifier and returns how many.
func (v *Verifier) Step(ctx context.Context) (int, error) {
	refs, err := taskRefs(ctx, v.Chain, "compute/verifiers/"+v.Addr.String()+"/tasks")
	if err != nil {
		return 0, err
	}
	var msgs []Msg
	for _, ref := range refs {
		id := jobID(ref.Job)
		pj := v.jobs[id]
		if pj == nil {
			p := &Provider{Chain: v.Chain}
			if pj, err = p.prepared(ctx, id); err != nil {
				return 0, err
			}
			if v.jobs == nil {
				v.jobs = map[uint64]*kcompute.Prepared{}
			}
			v.jobs[id] = pj
		}
		m, err := VerifyMsg(id, ref.Task, kcompute.ResultHash(pj.Execute(int(ref.Task))))
		if err != nil {
			return 0, err
		}
		msgs = append(msgs, m)
	}
	return sendAll(ctx, v.Chain, msgs)
}
