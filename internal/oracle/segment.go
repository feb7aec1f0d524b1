package oracle

import (
	"crypto/sha256"
	"encoding/hex"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/coverage"
	"github.com/depin-network/depin/internal/ingest"
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

// Reports are an epoch's decoded reports in scorer form.
type Reports struct {
	Beacons   []coverage.Beacon
	Witnesses []coverage.Witness
	// Other counts reports no scorer of this kind reads (heartbeats).
	Other uint64
	// Malformed counts records that do not decode, fail ingest's report
	// checks or name another epoch. Ingest never logs such a record, so
	// only a faulty or malicious ingest operator commits one; the oracle
	// skips it rather than stall the epoch, and says how many it skipped.
	Malformed uint64
}

// AddSegment decodes the records of a verified segment into r, in order.
// A report's id is its leaf hash, the hash ingest acknowledged it with.
// Signatures are not checked again: ingest verified them, and the segment
// is bound to what a registered ingest operator committed on chain.
func (r *Reports) AddSegment(seg *ingestv1.Segment) {
	for _, raw := range seg.GetRecords() {
		var rec ingestv1.LogRecord
		if err := proto.Unmarshal(raw, &rec); err != nil || rec.GetEpoch() != seg.GetEpoch() {
			r.Malformed++
			continue
		}
		rep, err := ingest.DecodeReport(rec.GetReport(), len(rec.GetReport().GetReport())+len(rec.GetReport().GetSignature()))
		if err != nil {
			r.Malformed++
			continue
		}
		r.add(merkle.LeafHash(raw), rec.GetReceived(), rep)
	}
}

func (r *Reports) add(id [32]byte, received int64, rep *reportv1.Report) {
	dev := ledger.AddressOf(rep.GetPubKey())
	switch body := rep.GetBody().(type) {
	case *reportv1.Report_Beacon:
		b := body.Beacon
		var eh [32]byte
		copy(eh[:], rep.GetEntropy().GetHash())
		region, err := coverage.ParseRegion(b.GetRegion())
		if err != nil {
			region = coverage.RegionUnknown
		}
		r.Beacons = append(r.Beacons, coverage.Beacon{
			ID: id, Device: dev, Received: received, Timestamp: rep.GetTimestamp(),
			EntropyHeight: uint64(rep.GetEntropy().GetHeight()), EntropyHash: eh,
			LocalEntropy: b.GetLocalEntropy(), Payload: b.GetPayload(), FrequencyHz: b.GetFrequency(),
			TxPowerDBm: ddBmToDBmCeil(b.GetTxPower()), Region: region,
		})
	case *reportv1.Report_Witness:
		w := body.Witness
		r.Witnesses = append(r.Witnesses, coverage.Witness{
			ID: id, Device: dev, Beaconer: ledger.AddressOf(w.GetBeaconer()), Received: received,
			Timestamp: rep.GetTimestamp(), Payload: w.GetPayload(), FrequencyHz: w.GetFrequency(),
			SignalDdBm: w.GetSignal(), SNRcB: w.GetSnr(),
		})
	default:
		r.Other++
	}
}

// ddBmToDBmCeil converts tenths of dBm to whole dBm rounding up, so that a
// power a tenth above a region's maximum is still above it.
func ddBmToDBmCeil(v int32) int32 {
	if v > 0 {
		return (v + 9) / 10
	}
	return v / 10
}

// EntropyHeights lists the distinct entropy heights the beacons answer,
// ascending: the chain blocks the bundle must record.
func (r *Reports) EntropyHeights() []uint64 {
	seen := make(map[uint64]struct{}, 16)
	var out []uint64
	for i := range r.Beacons {
		h := r.Beacons[i].EntropyHeight
		if _, ok := seen[h]; !ok {
			seen[h] = struct{}{}
			out = append(out, h)
		}
	}
	sortU64(out)
	return out
}
