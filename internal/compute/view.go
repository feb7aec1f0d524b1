package compute

import (
	"encoding/hex"
	"strings"

	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// JSON views of the module's records, as queries answer them: addresses in
// bech32, hashes in hex, 64-bit integers as decimal strings, states by
// name. The CLI and the agents decode these.

// ProviderView is a compute provider.
type ProviderView struct {
	Address       string `json:"address"`
	Bond          uint64 `json:"bond,string"`
	Jailed        bool   `json:"jailed"`
	JailedUntil   int64  `json:"jailed_until,string"`
	Work          uint64 `json:"work,string"`
	TasksAccepted uint64 `json:"tasks_accepted,string"`
	Slashes       uint64 `json:"slashes,string"`
	Slashed       uint64 `json:"slashed,string"`
	Earned        uint64 `json:"earned,string"`
	Open          uint64 `json:"open,string"`
}

// ViewProvider renders a provider.
func ViewProvider(p *computev1.Provider) ProviderView {
	return ProviderView{Address: addr(p.Address).String(), Bond: p.Bond, Jailed: p.Jailed, JailedUntil: p.JailedUntil,
		Work: p.Work, TasksAccepted: p.TasksAccepted, Slashes: p.Slashes, Slashed: p.Slashed, Earned: p.Earned, Open: p.Open}
}

// JobView is a job.
type JobView struct {
	ID             uint64 `json:"id,string"`
	Owner          string `json:"owner"`
	Type           string `json:"type"`
	Tasks          uint32 `json:"tasks"`
	Rounds         uint32 `json:"rounds"`
	Replicas       uint32 `json:"replicas"`
	Price          uint64 `json:"price,string"`
	InputHash      string `json:"input_hash"`
	State          string `json:"state"`
	Deposit        uint64 `json:"deposit,string"`
	Balance        uint64 `json:"balance,string"`
	Paid           uint64 `json:"paid,string"`
	Refunded       uint64 `json:"refunded,string"`
	SlashedIn      uint64 `json:"slashed_in,string"`
	Done           uint32 `json:"done"`
	Failed         uint32 `json:"failed"`
	Work           uint64 `json:"work,string"`
	CreatedHeight  int64  `json:"created_height,string"`
	FinishedHeight int64  `json:"finished_height,string"`
}

func stateName(full, prefix string) string { return strings.ToLower(strings.TrimPrefix(full, prefix)) }

// ViewJob renders a job.
func ViewJob(j *computev1.Job) JobView {
	return JobView{ID: j.Id, Owner: addr(j.Owner).String(), Type: j.Type, Tasks: j.Tasks, Rounds: j.Rounds,
		Replicas: j.Replicas, Price: j.Price, InputHash: hex.EncodeToString(j.InputHash),
		State: stateName(j.State.String(), "JOB_STATE_"), Deposit: j.Deposit, Balance: j.Balance, Paid: j.Paid,
		Refunded: j.Refunded, SlashedIn: j.SlashedIn, Done: j.Done, Failed: j.Failed, Work: j.Work,
		CreatedHeight: j.CreatedHeight, FinishedHeight: j.FinishedHeight}
}

// SlotView is a provider's slot of a task round.
type SlotView struct {
	Provider   string `json:"provider"`
	Commitment string `json:"commitment,omitempty"`
	ResultHash string `json:"result_hash,omitempty"`
	State      string `json:"state"`
	Reason     string `json:"reason,omitempty"`
}

// TaskView is a task.
type TaskView struct {
	Job          uint64     `json:"job,string"`
	Index        uint32     `json:"index"`
	Round        uint32     `json:"round"`
	State        string     `json:"state"`
	RoundStart   int64      `json:"round_start,string"`
	CommitEnd    int64      `json:"commit_end,string"`
	RevealEnd    int64      `json:"reveal_end,string"`
	VerifyEnd    int64      `json:"verify_end,string"`
	Sampled      bool       `json:"sampled"`
	Verifier     string     `json:"verifier,omitempty"`
	VerifiedHash string     `json:"verified_hash,omitempty"`
	ResultHash   string     `json:"result_hash,omitempty"`
	Resolution   string     `json:"resolution,omitempty"`
	Work         uint64     `json:"work,string"`
	Slots        []SlotView `json:"slots"`
	Excluded     []string   `json:"excluded,omitempty"`
}

// ViewTask renders a task.
func ViewTask(t *computev1.Task) TaskView {
	v := TaskView{Job: t.Job, Index: t.Index, Round: t.Round, State: phaseName(t.State), RoundStart: t.RoundStart,
		CommitEnd: t.CommitEnd, RevealEnd: t.RevealEnd, VerifyEnd: t.VerifyEnd, Sampled: t.Sampled,
		VerifiedHash: hex.EncodeToString(t.VerifiedHash), ResultHash: hex.EncodeToString(t.ResultHash),
		Resolution: t.Resolution, Work: t.Work, Slots: []SlotView{}}
	if len(t.Verifier) > 0 {
		v.Verifier = addr(t.Verifier).String()
	}
	for _, s := range t.Slots {
		v.Slots = append(v.Slots, SlotView{Provider: addr(s.Provider).String(), Commitment: hex.EncodeToString(s.Commitment),
			ResultHash: hex.EncodeToString(s.ResultHash), State: stateName(s.State.String(), "SLOT_STATE_"), Reason: s.Reason})
	}
	for _, x := range t.Excluded {
		v.Excluded = append(v.Excluded, addr(x).String())
	}
	return v
}

// TaskRef names a task.
type TaskRef struct {
	Job  uint64 `json:"job,string"`
	Task uint32 `json:"task"`
}

// WorkView is a provider's verified work in an epoch.
type WorkView struct {
	Provider string `json:"provider"`
	Work     uint64 `json:"work,string"`
}
