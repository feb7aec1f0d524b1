package compute

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
)

// Chain is what the agents need from a node: queries (internal/query
// paths, JSON answers) and sending messages signed by the agent's key,
// returning once they are committed.
type Chain interface {
	Query(ctx context.Context, path string, out any) error
	Send(ctx context.Context, msgs ...Msg) error
}

// JobInfo is the chain's view of a job (the fields the agents read).
type JobInfo struct {
	ID        string `json:"id"`
	Owner     string `json:"owner"`
	Type      string `json:"type"`
	Tasks     uint32 `json:"tasks"`
	Rounds    uint32 `json:"rounds"`
	Replicas  uint32 `json:"replicas"`
	Price     string `json:"price"`
	State     string `json:"state"`
	Done      uint32 `json:"done"`
	Failed    uint32 `json:"failed"`
	Paid      string `json:"paid"`
	Refunded  string `json:"refunded"`
	SlashedIn string `json:"slashed_in"`
}

// SlotInfo is a provider's slot of a task round.
type SlotInfo struct {
	Provider   string `json:"provider"`
	Commitment string `json:"commitment"`
	ResultHash string `json:"result_hash"`
	State      string `json:"state"`
	Reason     string `json:"reason"`
}

// TaskInfo is the chain's view of a task.
type TaskInfo struct {
	Job        string     `json:"job"`
	Index      uint32     `json:"index"`
	Round      uint32     `json:"round"`
	State      string     `json:"state"`
	CommitEnd  string     `json:"commit_end"`
	RevealEnd  string     `json:"reveal_end"`
	Sampled    bool       `json:"sampled"`
	Verifier   string     `json:"verifier"`
	ResultHash string     `json:"result_hash"`
	Resolution string     `json:"resolution"`
	Slots      []SlotInfo `json:"slots"`
}

// TaskRef names a task.
type TaskRef struct {
	Job  string `json:"job"`
	Task uint32 `json:"task"`
}

func jobID(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }

// GetJob reads a job.
func GetJob(ctx context.Context, c Chain, id uint64) (JobInfo, error) {
	var j JobInfo
	if err := c.Query(ctx, fmt.Sprintf("compute/jobs/%d", id), &j); err != nil {
		return j, fmt.Errorf("agent: compute: job %d: %w", id, err)
	}
	return j, nil
}

// GetTasks reads a job's tasks.
func GetTasks(ctx context.Context, c Chain, id uint64) ([]TaskInfo, error) {
	var out struct {
		Tasks []TaskInfo `json:"tasks"`
	}
	if err := c.Query(ctx, fmt.Sprintf("compute/jobs/%d/tasks", id), &out); err != nil {
		return nil, fmt.Errorf("agent: compute: tasks of job %d: %w", id, err)
	}
	return out.Tasks, nil
}

// GetTask reads one task.
func GetTask(ctx context.Context, c Chain, id uint64, i uint32) (TaskInfo, error) {
	var t TaskInfo
	if err := c.Query(ctx, fmt.Sprintf("compute/jobs/%d/tasks/%d", id, i), &t); err != nil {
		return t, fmt.Errorf("agent: compute: task %d/%d: %w", id, i, err)
	}
	return t, nil
}

// GetInput reads a job's input.
func GetInput(ctx context.Context, c Chain, id uint64) ([]byte, error) {
	var out struct {
		Input string `json:"input"`
	}
	if err := c.Query(ctx, fmt.Sprintf("compute/jobs/%d/input", id), &out); err != nil {
		return nil, fmt.Errorf("agent: compute: input of job %d: %w", id, err)
	}
	b, err := base64.StdEncoding.DecodeString(out.Input)
	if err != nil {
		return nil, fmt.Errorf("agent: compute: input of job %d: %w", id, err)
	}
	return b, nil
}

func taskRefs(ctx context.Context, c Chain, path string) ([]TaskRef, error) {
	var out struct {
		Tasks []TaskRef `json:"tasks"`
	}
	if err := c.Query(ctx, path, &out); err != nil {
		return nil, fmt.Errorf("agent: compute: %s: %w", path, err)
	}
	return out.Tasks, nil
}

func unhex(s string) []byte { b, _ := hex.DecodeString(s); return b }
