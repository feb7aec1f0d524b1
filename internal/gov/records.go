package gov

import (
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// RecordSpecs describe the governance state's entries (the tags in
// state.go) for a readable genesis export (ledger.ExportRecords).
func RecordSpecs() []ledger.RecordSpec {
	addr, u64 := ledger.PartAddress, ledger.PartU64
	part := func(name string, k ledger.PartKind) ledger.KeyPart { return ledger.KeyPart{Name: name, Kind: k} }
	return []ledger.RecordSpec{
		{Tag: tagProposal, Name: "proposal", Key: []ledger.KeyPart{part("id", u64)}, New: func() proto.Message { return new(govv1.Proposal) }},
		{Tag: tagNextID, Name: "last_id", Value: ledger.ValueU64},
		{Tag: tagDeposit, Name: "deposit", Key: []ledger.KeyPart{part("proposal", u64), part("depositor", addr)}, Value: ledger.ValueU64},
		{Tag: tagVote, Name: "vote", Key: []ledger.KeyPart{part("proposal", u64), part("voter", addr)}, Value: ledger.ValueBytes},
		{Tag: tagDepositQueue, Name: "deposit_queue", Key: []ledger.KeyPart{part("deposit_end_time", u64), part("id", u64)}, Value: ledger.ValueEmpty},
		{Tag: tagVotingQueue, Name: "voting_queue", Key: []ledger.KeyPart{part("voting_end_time", u64), part("id", u64)}, Value: ledger.ValueEmpty},
	}
}
