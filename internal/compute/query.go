package compute

import (
	"encoding/base64"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// maxList bounds the entries of one list answer.
const maxList = 1_000

// Queries registers the module's read-only queries:
//
//	compute/providers                      compute providers
//	compute/providers/{address}            a provider
//	compute/providers/{address}/tasks      its open task slots
//	compute/verifiers                      the verifier set
//	compute/verifiers/{address}/tasks      tasks waiting for the verifier
//	compute/jobs                           jobs (?owner=)
//	compute/jobs/{id}                      a job
//	compute/jobs/{id}/input                a job's input (base64)
//	compute/jobs/{id}/tasks                a job's tasks with their slots
//	compute/jobs/{id}/tasks/{index}        one task
//	compute/work/{epoch}                   verified work per provider in an epoch
func Queries(rt *ledger.QueryRouter) {
	rt.Add("compute/providers", queryProviders)
	rt.Add("compute/providers/{address}", queryProvider)
	rt.Add("compute/providers/{address}/tasks", queryProviderTasks)
	rt.Add("compute/verifiers", queryVerifiers)
	rt.Add("compute/verifiers/{address}/tasks", queryVerifierTasks)
	rt.Add("compute/jobs", queryJobs)
	rt.Add("compute/jobs/{id}", queryJob)
	rt.Add("compute/jobs/{id}/input", queryInput)
	rt.Add("compute/jobs/{id}/tasks", queryTasks)
	rt.Add("compute/jobs/{id}/tasks/{index}", queryTask)
	rt.Add("compute/work/{epoch}", queryWork)
}

func badRequest(format string, args ...any) *ledger.QueryError {
	return ledger.QueryErrorf(ledger.QueryBadRequest, format, args...)
}

func notFound(format string, args ...any) *ledger.QueryError {
	return ledger.QueryErrorf(ledger.QueryNotFound, format, args...)
}

func queryProviders(q *ledger.Query) (any, *ledger.QueryError) {
	out := []ProviderView{}
	ledger.IteratePrefix(q.Store, key(tagProvider), func(_, v []byte) bool {
		p := new(computev1.Provider)
		ledger.DecodeState(v, p)
		out = append(out, ViewProvider(p))
		return len(out) < maxList
	})
	return map[string]any{"providers": out}, nil
}

func addrVar(q *ledger.Query) (ledger.Address, *ledger.QueryError) {
	a, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return a, badRequest("%v", err)
	}
	return a, nil
}

func queryProvider(q *ledger.Query) (any, *ledger.QueryError) {
	a, e := addrVar(q)
	if e != nil {
		return nil, e
	}
	p, ok := GetProvider(q.Store, a)
	if !ok {
		return nil, notFound("no compute provider %s", a)
	}
	return ViewProvider(p), nil
}

// refs lists the task references under a prefix ending in an address.
func refs(st ledger.Store, pfx []byte) []TaskRef {
	out := []TaskRef{}
	ledger.IteratePrefix(st, pfx, func(k, _ []byte) bool {
		n := len(k)
		out = append(out, TaskRef{Job: ledger.ReadU64(k[n-12 : n-4]), Task: uint32(ledger.ReadU64(append([]byte{0, 0, 0, 0}, k[n-4:]...)))})
		return len(out) < maxList
	})
	return out
}

func queryProviderTasks(q *ledger.Query) (any, *ledger.QueryError) {
	a, e := addrVar(q)
	if e != nil {
		return nil, e
	}
	return map[string]any{"tasks": refs(q.Store, key(tagAssigned, a[:]))}, nil
}

func queryVerifiers(q *ledger.Query) (any, *ledger.QueryError) {
	out := []string{}
	for _, v := range Verifiers(q.Store) {
		out = append(out, v.String())
	}
	return map[string]any{"verifiers": out}, nil
}

func queryVerifierTasks(q *ledger.Query) (any, *ledger.QueryError) {
	a, e := addrVar(q)
	if e != nil {
		return nil, e
	}
	return map[string]any{"tasks": refs(q.Store, key(tagVerify, a[:]))}, nil
}

func idOf(s string) (uint64, *ledger.QueryError) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, badRequest("job id %q is not a positive number", s)
	}
	return n, nil
}

func queryJobs(q *ledger.Query) (any, *ledger.QueryError) {
	out := []JobView{}
	add := func(id uint64) bool {
		if j, ok := GetJob(q.Store, id); ok {
			out = append(out, ViewJob(j))
		}
		return len(out) < maxList
	}
	if s := q.Arg("owner"); s != "" {
		o, err := ledger.ParseAddress(s)
		if err != nil {
			return nil, badRequest("owner: %v", err)
		}
		ledger.IteratePrefix(q.Store, key(tagOwnerJob, o[:]), func(k, _ []byte) bool { return add(ledger.ReadU64(k[len(k)-8:])) })
	} else {
		ledger.IteratePrefix(q.Store, key(tagJob), func(k, _ []byte) bool { return add(ledger.ReadU64(k[len(k)-8:])) })
	}
	return map[string]any{"jobs": out}, nil
}

func jobVar(q *ledger.Query) (*computev1.Job, *ledger.QueryError) {
	id, e := idOf(q.Vars[0])
	if e != nil {
		return nil, e
	}
	j, ok := GetJob(q.Store, id)
	if !ok {
		return nil, notFound("no job %d", id)
	}
	return j, nil
}

func queryJob(q *ledger.Query) (any, *ledger.QueryError) {
	j, e := jobVar(q)
	if e != nil {
		return nil, e
	}
	return ViewJob(j), nil
}

// InputView is a job's input.
type InputView struct {
	Job   uint64 `json:"job,string"`
	Input string `json:"input"` // base64
}

func queryInput(q *ledger.Query) (any, *ledger.QueryError) {
	j, e := jobVar(q)
	if e != nil {
		return nil, e
	}
	return InputView{Job: j.Id, Input: base64.StdEncoding.EncodeToString(JobInput(q.Store, j.Id))}, nil
}

func queryTasks(q *ledger.Query) (any, *ledger.QueryError) {
	j, e := jobVar(q)
	if e != nil {
		return nil, e
	}
	out := []TaskView{}
	ledger.IteratePrefix(q.Store, key(tagTask, ledger.U64(j.Id)), func(_, v []byte) bool {
		t := new(computev1.Task)
		ledger.DecodeState(v, t)
		out = append(out, ViewTask(t))
		return true // at most compute.max_tasks
	})
	return map[string]any{"tasks": out}, nil
}

func queryTask(q *ledger.Query) (any, *ledger.QueryError) {
	j, e := jobVar(q)
	if e != nil {
		return nil, e
	}
	i, err := strconv.ParseUint(q.Vars[1], 10, 32)
	if err != nil {
		return nil, badRequest("task index %q is not a number", q.Vars[1])
	}
	t, ok := GetTask(q.Store, j.Id, uint32(i))
	if !ok {
		return nil, notFound("job %d has no task %d", j.Id, i)
	}
	return ViewTask(t), nil
}

func queryWork(q *ledger.Query) (any, *ledger.QueryError) {
	ep, err := strconv.ParseUint(q.Vars[0], 10, 64)
	if err != nil {
		return nil, badRequest("epoch %q is not a number", q.Vars[0])
	}
	works, total, _ := EpochWorks(q.Store, ep)
	out := []WorkView{}
	for _, w := range works {
		out = append(out, WorkView{Provider: w.Provider.String(), Work: w.Work})
	}
	return map[string]any{"epoch": strconv.FormatUint(ep, 10), "total": strconv.FormatUint(total, 10), "providers": out}, nil
}
