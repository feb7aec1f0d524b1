package compute

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
)

// Mode is how a provider behaves.
type Mode int

// Modes. Wrong and Lazy exist to exercise the chain's checks.
const (
	Honest Mode = iota
	Wrong       // returns corrupted results
	Lazy        // copies another provider's commitment and hash
)

// ParseMode reads "honest", "wrong" or "lazy".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "honest", "":
		return Honest, nil
	case "wrong":
		return Wrong, nil
	case "lazy":
		return Lazy, nil
	}
	return 0, fmt.Errorf("agent: compute: unknown mode %q (honest, wrong or lazy)", s)
}

// Provider takes the tasks the chain assigns to Addr.
type Provider struct {
	Chain Chain
	Addr  ledger.Address
	Mode  Mode
	Log   *slog.Logger

	mu      sync.Mutex
	jobs    map[uint64]*kcompute.Prepared
	results map[[2]uint64][]byte // (job, task) -> result bytes
}

func (p *Provider) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}

func (p *Provider) prepared(ctx context.Context, id uint64) (*kcompute.Prepared, error) {
	p.mu.Lock()
	pj := p.jobs[id]
	p.mu.Unlock()
	if pj != nil {
		return pj, nil
	}
	j, err := GetJob(ctx, p.Chain, id)
	if err != nil {
		return nil, err
	}
	in, err := GetInput(ctx, p.Chain, id)
	if err != nil {
		return nil, err
	}
	pj, err = kcompute.Prepare(kcompute.Job{Type: j.Type, Input: in, Tasks: int(j.Tasks), Rounds: int(j.Rounds)})
	if err != nil {
		return nil, fmt.Errorf("agent: compute: job %d: %w", id, err)
	}
	p.mu.Lock()
	if p.jobs == nil {
		p.jobs = map[uint64]*kcompute.Prepared{}
	}
	p.jobs[id] = pj
	p.mu.Unlock()
	return pj, nil
}

// result computes (once) and keeps a task's result.
func (p *Provider) result(ctx context.Context, id uint64, i uint32) ([]byte, error) {
	k := [2]uint64{id, uint64(i)}
	p.mu.Lock()
	r, ok := p.results[k]
	p.mu.Unlock()
	if ok {
		return r, nil
	}
	pj, err := p.prepared(ctx, id)
	if err != nil {
		return nil, err
	}
	r = pj.Execute(int(i))
	if p.Mode == Wrong {
		r[len(r)/2] ^= 0x5a
	}
	p.mu.Lock()
	if p.results == nil {
		p.results = map[[2]uint64][]byte{}
	}
	p.results[k] = r
	p.mu.Unlock()
	return r, nil
}

// mySlot returns the provider's slot of a task's current round.
func (p *Provider) mySlot(t TaskInfo) *SlotInfo {
	me := p.Addr.String()
	for i := range t.Slots {
		if t.Slots[i].Provider == me && t.Slots[i].State != "missed" {
			return &t.Slots[i]
		}
	}
	return nil
}

// Step commits, copies or reveals every task assigned to the provider and
// returns how many messages it sent.
func (p *Provider) Step(ctx context.Context) (int, error) {
	refs, err := taskRefs(ctx, p.Chain, "compute/providers/"+p.Addr.String()+"/tasks")
	if err != nil {
		return 0, err
	}
	var msgs []Msg
	for _, ref := range refs {
		id := jobID(ref.Job)
		t, err := GetTask(ctx, p.Chain, id, ref.Task)
		if err != nil {
			return 0, err
		}
		s := p.mySlot(t)
		if s == nil {
			continue
		}
		m, ok, err := p.act(ctx, id, t, s)
		if err != nil {
			p.log().Warn("task", "job", id, "task", t.Index, "err", err)
			continue
		}
		if ok {
			msgs = append(msgs, m)
		}
	}
	return sendAll(ctx, p.Chain, msgs)
}

// sendAll sends msgs in one transaction; when it fails (a window closed
// for one task, say) it sends them one by one, so that one stale message
// does not hold back the others. It returns how many were committed.
func sendAll(ctx context.Context, c Chain, msgs []Msg) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	if err := c.Send(ctx, msgs...); err == nil || len(msgs) == 1 {
		if err != nil {
			return 0, err
		}
		return len(msgs), nil
	}
	n := 0
	var last error
	for _, m := range msgs {
		if err := c.Send(ctx, m); err != nil {
			last = err
			continue
		}
		n++
	}
	return n, last
}

func (p *Provider) act(ctx context.Context, id uint64, t TaskInfo, s *SlotInfo) (Msg, bool, error) {
	switch {
	case t.State == "commit" && s.State == "assigned":
		if p.Mode == Lazy {
			for _, o := range t.Slots {
				if o.Provider != s.Provider && o.Commitment != "" {
					m, err := CommitRawMsg(id, t.Index, unhex(o.Commitment))
					return m, err == nil, err
				}
			}
			return Msg{}, false, nil // nothing to copy yet
		}
		r, err := p.result(ctx, id, t.Index)
		if err != nil {
			return Msg{}, false, err
		}
		m, err := CommitMsg(id, t.Index, t.Round, p.Addr, kcompute.ResultHash(r))
		return m, err == nil, err
	case t.State == "reveal" && s.State == "committed":
		if p.Mode == Lazy {
			for _, o := range t.Slots {
				if o.Provider != s.Provider && o.ResultHash != "" {
					m, err := RevealMsg(id, t.Index, unhex(o.ResultHash))
					return m, err == nil, err
				}
			}
			return Msg{}, false, nil
		}
		r, err := p.result(ctx, id, t.Index)
		if err != nil {
			return Msg{}, false, err
		}
		h := kcompute.ResultHash(r)
		m, err := RevealMsg(id, t.Index, h[:])
		return m, err == nil, err
	}
	return Msg{}, false, nil
}

// ResultPath is where a provider serves a task's result:
// /compute/results/{job}/{task}.
func ResultPath(job uint64, task uint32) string {
	return "/compute/results/" + strconv.FormatUint(job, 10) + "/" + strconv.FormatUint(uint64(task), 10)
}

// Handler serves the results the provider computed (GET ResultPath).
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /compute/results/{job}/{task}", func(w http.ResponseWriter, r *http.Request) {
		job, err1 := strconv.ParseUint(r.PathValue("job"), 10, 64)
		task, err2 := strconv.ParseUint(r.PathValue("task"), 10, 32)
		if err1 != nil || err2 != nil {
			http.Error(w, "bad job or task", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		res, ok := p.results[[2]uint64{job, task}]
		p.mu.Unlock()
		if !ok {
			http.Error(w, "no such result here", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(res)
	})
	return mux
}
