package gov

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// PrefixGov is the governance module's key prefix.
const PrefixGov byte = 0x11

const (
	tagProposal     = 'p' // id → Proposal
	tagNextID       = 'n' // last proposal id
	tagDeposit      = 'd' // id | depositor → amount
	tagVote         = 'v' // id | voter → option
	tagDepositQueue = 'D' // deposit end time | id → nil
	tagVotingQueue  = 'V' // voting end time | id → nil
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(PrefixGov, append([][]byte{{tag}}, parts...)...)
}

var marshal = proto.MarshalOptions{Deterministic: true}

func encode(m proto.Message) []byte {
	b, err := marshal.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("gov: encode %T: %v", m, err))
	}
	return b
}

func timeKey(t int64) []byte {
	if t < 0 {
		t = 0
	}
	return ledger.U64(uint64(t))
}

// GetProposal reads a proposal.
func GetProposal(st ledger.Store, id uint64) (*govv1.Proposal, bool) {
	b := st.Get(key(tagProposal, ledger.U64(id)))
	if b == nil {
		return nil, false
	}
	p := &govv1.Proposal{}
	if err := proto.Unmarshal(b, p); err != nil {
		panic(fmt.Sprintf("gov: corrupt proposal %d: %v", id, err))
	}
	return p, true
}

func putProposal(st ledger.Store, p *govv1.Proposal) {
	st.Set(key(tagProposal, ledger.U64(p.Id)), encode(p))
}

// Proposals lists proposals by id, starting after the id after.
func Proposals(st ledger.Store, after uint64, limit int) []*govv1.Proposal {
	var out []*govv1.Proposal
	st.Iterate(key(tagProposal, ledger.U64(after+1)), ledger.PrefixEnd(key(tagProposal)), func(_, b []byte) bool {
		p := &govv1.Proposal{}
		if err := proto.Unmarshal(b, p); err != nil {
			panic(fmt.Sprintf("gov: corrupt proposal: %v", err))
		}
		out = append(out, p)
		return len(out) < limit
	})
	return out
}

// Deposit is one depositor's total deposit on a proposal.
type Deposit struct {
	Depositor ledger.Address
	Amount    uint64
}

// Deposits lists a proposal's deposits by depositor.
func DepositsOf(st ledger.Store, id uint64) []Deposit {
	var out []Deposit
	p := key(tagDeposit, ledger.U64(id))
	ledger.IteratePrefix(st, p, func(k, v []byte) bool {
		a, _ := ledger.AddressFromBytes(k[len(p):])
		out = append(out, Deposit{Depositor: a, Amount: ledger.ReadU64(v)})
		return true
	})
	return out
}

// Vote is one voter's choice on a proposal.
type Vote struct {
	Voter  ledger.Address
	Option govv1.VoteOption
}

// Votes lists a proposal's votes by voter.
func Votes(st ledger.Store, id uint64) []Vote {
	var out []Vote
	p := key(tagVote, ledger.U64(id))
	ledger.IteratePrefix(st, p, func(k, v []byte) bool {
		a, _ := ledger.AddressFromBytes(k[len(p):])
		out = append(out, Vote{Voter: a, Option: govv1.VoteOption(v[0])})
		return true
	})
	return out
}
