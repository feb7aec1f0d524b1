package compute

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

// Prefix is the compute module's key prefix.
const Prefix byte = 0x60

// Key layout under Prefix (all big-endian):
//
//	'p' provider                    -> Provider
//	'e' provider                    -> {}     (eligible: registered, not jailed)
//	'v' verifier                    -> {1}    (the verifier set)
//	'j' job id                      -> Job
//	'I' job id                      -> the job's input bytes
//	'o' owner, job id               -> {}     (jobs of an owner)
//	't' job id, task (u32)          -> Task
//	'a' provider, job id, task      -> {}     (open slots of a provider)
//	'V' verifier, job id, task      -> {}     (tasks waiting for a verifier)
//	'q' height, job id, task        -> {}     (the due queue)
//	'w' epoch, provider             -> verified work in the epoch (u64)
//	'n'                             -> last job id (u64)
const (
	tagProvider = 'p'
	tagEligible = 'e'
	tagVerifier = 'v'
	tagJob      = 'j'
	tagInput    = 'I'
	tagOwnerJob = 'o'
	tagTask     = 't'
	tagAssigned = 'a'
	tagVerify   = 'V'
	tagDue      = 'q'
	tagWork     = 'w'
	tagNextJob  = 'n'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(Prefix, append([][]byte{{tag}}, parts...)...)
}

func u32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

func providerKey(a ledger.Address) []byte { return key(tagProvider, a[:]) }
func eligibleKey(a ledger.Address) []byte { return key(tagEligible, a[:]) }
func jobKey(id uint64) []byte             { return key(tagJob, ledger.U64(id)) }
func inputKey(id uint64) []byte           { return key(tagInput, ledger.U64(id)) }
func ownerJobKey(o ledger.Address, id uint64) []byte {
	return key(tagOwnerJob, o[:], ledger.U64(id))
}
func taskKey(job uint64, i uint32) []byte { return key(tagTask, ledger.U64(job), u32(i)) }
func assignedKey(p ledger.Address, job uint64, i uint32) []byte {
	return key(tagAssigned, p[:], ledger.U64(job), u32(i))
}
func verifyKey(v ledger.Address, job uint64, i uint32) []byte {
	return key(tagVerify, v[:], ledger.U64(job), u32(i))
}
func dueKey(h int64, job uint64, i uint32) []byte {
	return key(tagDue, ledger.U64(uint64(h)), ledger.U64(job), u32(i))
}
func workKey(epoch uint64, p ledger.Address) []byte { return key(tagWork, ledger.U64(epoch), p[:]) }

var verifierSet = ledger.BoundedSet{Prefix: key(tagVerifier), Noun: "verifier", FullCode: CodeVerifierSetFull}

func addr(b []byte) ledger.Address {
	a, err := ledger.AddressFromBytes(b)
	if err != nil {
		panic(fmt.Sprintf("compute: corrupt address in state: %v", err))
	}
	return a
}

// GetProvider returns a compute provider.
func GetProvider(st ledger.Store, a ledger.Address) (*computev1.Provider, bool) {
	b := st.Get(providerKey(a))
	if b == nil {
		return nil, false
	}
	p := new(computev1.Provider)
	ledger.DecodeState(b, p)
	return p, true
}

func putProvider(st ledger.Store, p *computev1.Provider) {
	a := addr(p.Address)
	st.Set(providerKey(a), ledger.Encode(p))
	if p.Jailed {
		st.Delete(eligibleKey(a))
	} else {
		st.Set(eligibleKey(a), []byte{})
	}
}

// IsVerifier reports whether a is in the verifier set.
func IsVerifier(st ledger.Store, a ledger.Address) bool { return verifierSet.Has(st, a[:]) }

// Verifiers lists the verifier set in address order.
func Verifiers(st ledger.Store) []ledger.Address {
	var out []ledger.Address
	verifierSet.Each(st, func(m, _ []byte) bool {
		out = append(out, addr(m))
		return true
	})
	return out
}

// GetJob returns a job.
func GetJob(st ledger.Store, id uint64) (*computev1.Job, bool) {
	b := st.Get(jobKey(id))
	if b == nil {
		return nil, false
	}
	j := new(computev1.Job)
	ledger.DecodeState(b, j)
	return j, true
}

func putJob(st ledger.Store, j *computev1.Job) { st.Set(jobKey(j.Id), ledger.Encode(j)) }

// JobInput returns a job's input bytes.
func JobInput(st ledger.Store, id uint64) []byte { return st.Get(inputKey(id)) }

// GetTask returns a task of a job.
func GetTask(st ledger.Store, job uint64, i uint32) (*computev1.Task, bool) {
	b := st.Get(taskKey(job, i))
	if b == nil {
		return nil, false
	}
	t := new(computev1.Task)
	ledger.DecodeState(b, t)
	return t, true
}

func putTask(st ledger.Store, t *computev1.Task) { st.Set(taskKey(t.Job, t.Index), ledger.Encode(t)) }

// schedule moves a task in the due queue to height h.
func schedule(st ledger.Store, t *computev1.Task, h int64) {
	if t.NextDue != 0 {
		st.Delete(dueKey(t.NextDue, t.Job, t.Index))
	}
	t.NextDue = h
	if h != 0 {
		st.Set(dueKey(h, t.Job, t.Index), []byte{})
	}
}

// EpochWork returns the verified work of a provider in an epoch, not yet
// paid from the compute pool.
func EpochWork(st ledger.Store, epoch uint64, p ledger.Address) uint64 {
	return ledger.GetU64(st, workKey(epoch, p))
}
