package compute

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// Message type names of the compute module (internal/compute).
const (
	TypeRegister    = "compute/register"
	TypeSubmitJob   = "compute/submit-job"
	TypeCommit      = "compute/commit"
	TypeReveal      = "compute/reveal"
	TypeVerify      = "compute/verify"
	TypeSetVerifier = "compute/set-verifier"
)

// Msg is one message of a transaction: its type and encoded value.
type Msg struct {
	Type  string
	Value []byte
}

func msg(typ string, m proto.Message) (Msg, error) {
	b, err := proto.Marshal(m)
	if err != nil {
		return Msg{}, fmt.Errorf("agent: compute: encode %s: %w", typ, err)
	}
	return Msg{Type: typ, Value: b}, nil
}

// RegisterMsg bonds upin as a compute provider (the signer must be a
// market provider).
func RegisterMsg(bond uint64) (Msg, error) {
	return msg(TypeRegister, &computev1.MsgRegister{Bond: bond})
}

// SetVerifierMsg adds a verifier (params authority only).
func SetVerifierMsg(v ledger.Address) (Msg, error) {
	return msg(TypeSetVerifier, &computev1.MsgSetVerifier{Verifier: v[:]})
}

// Job is a job to submit.
type Job struct {
	Type     string // kcompute.TypeRender or kcompute.TypeHash
	Input    []byte
	Tasks    int
	Rounds   int // hash jobs
	Replicas int
	Price    uint64 // upin per accepted task result and per verification
}

// SubmitJobMsg checks a job locally (the chain runs the same check) and
// builds its message.
func SubmitJobMsg(j Job) (Msg, error) {
	if _, err := kcompute.Prepare(kcompute.Job{Type: j.Type, Input: j.Input, Tasks: j.Tasks, Rounds: j.Rounds}); err != nil {
		return Msg{}, fmt.Errorf("agent: compute: %w", err)
	}
	return msg(TypeSubmitJob, &computev1.MsgSubmitJob{Type: j.Type, Input: j.Input, Tasks: uint32(j.Tasks),
		Rounds: uint32(j.Rounds), Replicas: uint32(j.Replicas), Price: j.Price})
}

// CommitMsg commits a result hash for a task round, bound to provider.
func CommitMsg(job uint64, task, round uint32, provider ledger.Address, resultHash [32]byte) (Msg, error) {
	c := kcompute.Commitment(job, task, round, provider, resultHash[:])
	return msg(TypeCommit, &computev1.MsgCommit{Job: job, Task: task, Commitment: c[:]})
}

// CommitRawMsg commits a given commitment (a lazy provider's copy).
func CommitRawMsg(job uint64, task uint32, commitment []byte) (Msg, error) {
	return msg(TypeCommit, &computev1.MsgCommit{Job: job, Task: task, Commitment: commitment})
}

// RevealMsg reveals a result hash.
func RevealMsg(job uint64, task uint32, resultHash []byte) (Msg, error) {
	return msg(TypeReveal, &computev1.MsgReveal{Job: job, Task: task, ResultHash: resultHash})
}

// VerifyMsg is a verifier's result hash.
func VerifyMsg(job uint64, task uint32, resultHash [32]byte) (Msg, error) {
	return msg(TypeVerify, &computev1.MsgVerify{Job: job, Task: task, ResultHash: resultHash[:]})
}
