package stake

import (
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// RecordSpecs describe the staking state's entries (the tags in
// state.go) for a readable genesis export (ledger.ExportRecords).
func RecordSpecs() []ledger.RecordSpec {
	addr, u64 := ledger.PartAddress, ledger.PartU64
	part := func(name string, k ledger.PartKind) ledger.KeyPart { return ledger.KeyPart{Name: name, Kind: k} }
	return []ledger.RecordSpec{
		{Tag: tagValidator, Name: "validator", Key: []ledger.KeyPart{part("operator", addr)}, New: func() proto.Message { return new(stakev1.Validator) }},
		{Tag: tagConsensus, Name: "consensus_address", Key: []ledger.KeyPart{part("consensus", addr)}, Value: ledger.ValueAddress},
		{Tag: tagDelegation, Name: "delegation", Key: []ledger.KeyPart{part("delegator", addr), part("validator", addr)},
			New: func() proto.Message { return new(stakev1.Delegation) }},
		{Tag: tagUnbonding, Name: "unbonding", Key: []ledger.KeyPart{part("id", u64)}, New: func() proto.Message { return new(stakev1.Unbonding) }},
		{Tag: tagUBDQueue, Name: "unbonding_queue", Key: []ledger.KeyPart{part("completion_time", u64), part("id", u64)}, Value: ledger.ValueEmpty},
		{Tag: tagUBDByVal, Name: "unbonding_by_validator", Key: []ledger.KeyPart{part("validator", addr), part("id", u64)}, Value: ledger.ValueEmpty},
		{Tag: tagUBDByPair, Name: "unbonding_by_pair", Key: []ledger.KeyPart{part("delegator", addr), part("validator", addr), part("id", u64)}, Value: ledger.ValueEmpty},
		{Tag: tagRedelegate, Name: "redelegation", Key: []ledger.KeyPart{part("id", u64)}, New: func() proto.Message { return new(stakev1.Redelegation) }},
		{Tag: tagREDQueue, Name: "redelegation_queue", Key: []ledger.KeyPart{part("completion_time", u64), part("id", u64)}, Value: ledger.ValueEmpty},
		{Tag: tagREDBySrc, Name: "redelegation_by_source", Key: []ledger.KeyPart{part("source", addr), part("id", u64)}, Value: ledger.ValueEmpty},
		{Tag: tagREDByDst, Name: "redelegation_by_destination", Key: []ledger.KeyPart{part("delegator", addr), part("destination", addr), part("id", u64)}, Value: ledger.ValueEmpty},
		{Tag: tagNextID, Name: "next_id", Value: ledger.ValueU64},
		{Tag: tagActiveSet, Name: "active_set", New: func() proto.Message { return new(stakev1.ActiveSet) }},
		{Tag: tagSetMax, Name: "active_set_max", Value: ledger.ValueU64},
		{Tag: tagDirty, Name: "active_set_dirty", Value: ledger.ValueBytes},
		{Tag: tagEnabled, Name: "enabled", Value: ledger.ValueBytes},
		{Tag: tagEvidence, Name: "evidence", Key: []ledger.KeyPart{part("validator", addr), part("height", u64)}, New: func() proto.Message { return new(stakev1.Evidence) }},
		{Tag: tagTreasuryDust, Name: "treasury_dust", Value: ledger.ValueU64},
	}
}
