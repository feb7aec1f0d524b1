package market

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Genesis is the market's genesis section: every state entry as a
// readable record (ledger.RecordSpec), so that InitGenesis rebuilds the
// same state bit for bit.
type Genesis struct {
	Records []ledger.Record `json:"records"`
}

// RecordSpecs describe the market's state entries (the key layout in
// store.go).
func RecordSpecs() []ledger.RecordSpec {
	addr, u64, seq := ledger.PartAddress, ledger.PartU64, ledger.PartByte
	return []ledger.RecordSpec{
		{Tag: tagProvider, Name: "provider", Key: []ledger.KeyPart{{Name: "provider", Kind: addr}}, New: func() proto.Message { return new(marketv1.Provider) }},
		{Tag: tagAuditor, Name: "auditor", Key: []ledger.KeyPart{{Name: "auditor", Kind: addr}}, Value: ledger.ValueBytes},
		{Tag: tagAttestation, Name: "attestation", Key: []ledger.KeyPart{{Name: "provider", Kind: addr}, {Name: "auditor", Kind: addr}},
			New: func() proto.Message { return new(marketv1.Attestation) }},
		{Tag: tagOrder, Name: "order", Key: []ledger.KeyPart{{Name: "id", Kind: u64}}, New: func() proto.Message { return new(marketv1.Order) }},
		{Tag: tagBid, Name: "bid", Key: []ledger.KeyPart{{Name: "order", Kind: u64}, {Name: "provider", Kind: addr}},
			New: func() proto.Message { return new(marketv1.Bid) }},
		{Tag: tagLease, Name: "lease", Key: []ledger.KeyPart{{Name: "id", Kind: u64}}, New: func() proto.Message { return new(marketv1.Lease) }},
		{Tag: tagOwnerLease, Name: "owner_lease", Key: []ledger.KeyPart{{Name: "owner", Kind: addr}, {Name: "lease", Kind: u64}}, Value: ledger.ValueEmpty},
		{Tag: tagProvLease, Name: "provider_lease", Key: []ledger.KeyPart{{Name: "provider", Kind: addr}, {Name: "lease", Kind: u64}}, Value: ledger.ValueEmpty},
		{Tag: tagDue, Name: "due", Key: []ledger.KeyPart{{Name: "height", Kind: u64}, {Name: "lease", Kind: u64}}, Value: ledger.ValueEmpty},
		{Tag: tagNonce, Name: "receipt_nonce", Key: []ledger.KeyPart{{Name: "payer", Kind: addr}, {Name: "provider", Kind: addr}}, Value: ledger.ValueU64},
		{Tag: tagUsage, Name: "usage", Key: []ledger.KeyPart{{Name: "epoch", Kind: u64}, {Name: "provider", Kind: addr}}, Value: ledger.ValueU64},
		{Tag: tagEarned, Name: "earned", Key: []ledger.KeyPart{{Name: "provider", Kind: addr}}, Value: ledger.ValueU64},
		{Tag: tagNextID, Name: "next_id", Key: []ledger.KeyPart{{Name: "sequence", Kind: seq}}, Value: ledger.ValueU64},
		{Tag: tagOpenOrder, Name: "open_order", Key: []ledger.KeyPart{{Name: "order", Kind: u64}}, Value: ledger.ValueEmpty},
	}
}

// InitGenesis loads the market's genesis section, checked by Invariants:
// the records ExportGenesis writes, or the hex entries older exports hold
// (a JSON array, ledger.DumpPrefix).
func InitGenesis(st ledger.Store, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if err := ledger.LoadPrefix(st, Prefix, raw); err != nil {
			return err
		}
		return Invariants(st)
	}
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if err := ledger.ImportRecords(st, Prefix, RecordSpecs(), g.Records); err != nil {
		return err
	}
	return Invariants(st)
}

// ExportGenesis writes every market entry (providers, auditors, orders,
// bids, leases with their escrow and due heights, receipt nonces, usage)
// as readable records, so that InitGenesis rebuilds the same state; nil
// when the market is empty.
func ExportGenesis(st ledger.Store) (json.RawMessage, error) {
	recs, err := ledger.ExportRecords(st, Prefix, RecordSpecs())
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return json.Marshal(Genesis{Records: recs})
}
