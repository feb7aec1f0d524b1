package oracle

import (
	"crypto/sha256"
	"encoding/hex"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// VerifySegment checks segment file bytes against their on-chain
// commitment: the SHA-256 of the bytes must be the committed hash, the bytes
// must be a canonical segment of epoch, and its record count and Merkle root
// (RFC 6962 over the records' leaf hashes, internal/ingest) must be the
// committed ones. A mismatch is a *ledger.Error with CodeSegmentMismatch: the
// contents were forged or corrupted on the way.
func VerifySegment(raw []byte, ref SegmentRef, epoch uint64) (*ingestv1.Segment, error) {
	name := hex.EncodeToString(ref.Hash[:])
	if sum := sha256.Sum256(raw); sum != ref.Hash {
		return nil, ledger.Errorf(CodeSegmentMismatch,
			"segment %s: content hash is %x, not the committed hash", name, sum[:])
	}
	seg, err := ingest.DecodeSegment(raw)
	if err != nil {
		return nil, ledger.Errorf(CodeSegmentMismatch, "segment %s: %v", name, err)
	}
	if seg.GetEpoch() != epoch {
		return nil, ledger.Errorf(CodeSegmentMismatch, "segment %s: belongs to epoch %d, committed for epoch %d", name, seg.GetEpoch(), epoch)
	}
	if n := uint64(len(seg.GetRecords())); n != ref.Count {
		return nil, ledger.Errorf(CodeSegmentMismatch, "segment %s: holds %d records, %d committed", name, n, ref.Count)
	}
	if root := ingest.SegmentRoot(seg); root != ref.MerkleRoot {
		return nil, ledger.Errorf(CodeSegmentMismatch,
			"segment %s: merkle root is %x, committed %x", name, root[:], ref.MerkleRoot[:])
	}
	return seg, nil
}

// Reports are an epoch's decoded reports, each with its kind.
type Reports struct {
	List []KindReport
	// Malformed counts records that do not decode, fail ingest's report
	// checks (an unknown kind among them) or name another epoch. Ingest
	// never logs such a record, so only a faulty or malicious ingest
	// operator commits one; the oracle skips it rather than stall the
	// epoch, and says how many it skipped.
	Malformed uint64
}

// KindReport is a report and the name of its kind.
type KindReport struct {
	Kind string
	kind.Report
}

// AddSegment decodes the records of a verified segment into r, in order,
// checking each envelope and body with kinds. A report's id is its leaf
// hash, the hash ingest acknowledged it with. Signatures are not checked
// again: ingest verified them, and the segment is bound to what a
// registered ingest operator committed on chain.
func (r *Reports) AddSegment(kinds *kind.Registry, seg *ingestv1.Segment) {
	for _, raw := range seg.GetRecords() {
		var rec ingestv1.LogRecord
		if err := proto.Unmarshal(raw, &rec); err != nil || rec.GetEpoch() != seg.GetEpoch() {
			r.Malformed++
			continue
		}
		rep, err := ingest.DecodeReport(kinds, rec.GetReport(), len(rec.GetReport().GetReport())+len(rec.GetReport().GetSignature()))
		if err != nil {
			r.Malformed++
			continue
		}
		r.add(merkle.LeafHash(raw), rec.GetReceived(), rep)
	}
}

func (r *Reports) add(id [32]byte, received int64, rep *reportv1.Report) {
	kr := KindReport{Kind: rep.GetKind(), Report: kind.Report{
		ID: id, Device: ledger.AddressOf(rep.GetPubKey()), Received: received, Timestamp: rep.GetTimestamp(),
		EntropyHeight: uint64(rep.GetEntropy().GetHeight()), Type: rep.GetType(), Body: rep.GetBody(),
	}}
	copy(kr.EntropyHash[:], rep.GetEntropy().GetHash())
	r.List = append(r.List, kr)
}

// Of returns the reports of one kind, in order.
func (r *Reports) Of(name string) []kind.Report {
	var out []kind.Report
	for i := range r.List {
		if r.List[i].Kind == name {
			out = append(out, r.List[i].Report)
		}
	}
	return out
}

// EntropyHeights lists the distinct entropy heights the reports answer,
// ascending: the chain blocks the bundle must record.
func (r *Reports) EntropyHeights() []uint64 {
	seen := make(map[uint64]struct{}, 16)
	var out []uint64
	for i := range r.List {
		h := r.List[i].EntropyHeight
		if _, ok := seen[h]; !ok {
			seen[h] = struct{}{}
			out = append(out, h)
		}
	}
	sortU64(out)
	return out
}
