package proof

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
)

// HashLen is the length of a segment hash and of a segment Merkle root.
const HashLen = sha256.Size

func handleCommitSegment(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m proofv1.MsgCommitSegment
	if e := ledger.Unmarshal(TypeCommitSegment, raw, &m); e != nil {
		return e
	}
	if len(m.Hash) != HashLen {
		return ledger.Errorf(ledger.CodeMalformed, "segment hash is %d bytes, want %d", len(m.Hash), HashLen)
	}
	if len(m.MerkleRoot) != HashLen {
		return ledger.Errorf(ledger.CodeMalformed, "segment merkle root is %d bytes, want %d", len(m.MerkleRoot), HashLen)
	}
	st := ctx.Store
	if max := params.Get(st, MaxSegmentReports); m.Count == 0 || m.Count > max {
		return ledger.Errorf(ledger.CodeInvalidAmount, "segment count %d outside [1, %d]", m.Count, max)
	}
	if !IsOperator(st, ctx.Signer) {
		return ledger.Errorf(CodeNotOperator, "signer %s is not an ingest operator", ctx.Signer)
	}
	if !reward.SegmentsOpen(st, m.Epoch, ctx.Height) {
		cur := epoch.Current(st)
		return ledger.Errorf(CodeSegmentWindow, "epoch %d takes no segments at height %d (running epoch %d)", m.Epoch, ctx.Height, cur.Number)
	}
	if b := st.Get(hashKey(m.Hash)); b != nil {
		return ledger.Errorf(CodeSegmentExists, "segment %x is committed already (epoch %d)", m.Hash, ledger.ReadU64(b[:8]))
	}
	seq := SegmentCount(st, m.Epoch)
	if max := params.Get(st, MaxSegmentsPerEpoch); seq >= max {
		return ledger.Errorf(CodeSegmentLimitEpoch, "epoch %d has %d segments, at most %d allowed", m.Epoch, seq, max)
	}
	seg := &proofv1.Segment{
		Epoch: m.Epoch, Seq: seq, Hash: m.Hash, MerkleRoot: m.MerkleRoot, Count: m.Count,
		Operator: ctx.Signer[:], Height: ctx.Height,
	}
	st.Set(segmentKey(m.Epoch, seq), ledger.Encode(seg))
	st.Set(hashKey(m.Hash), append(ledger.U64(m.Epoch), ledger.U64(seq)...))
	st.Set(countKey(m.Epoch), ledger.U64(seq+1))
	mixSegment(st, m.Hash)
	ctx.Emit("proof.segment",
		ledger.A("epoch", strconv.FormatUint(m.Epoch, 10)),
		ledger.A("seq", strconv.FormatUint(seq, 10)),
		ledger.A("hash", hex.EncodeToString(m.Hash)),
		ledger.A("merkle_root", hex.EncodeToString(m.MerkleRoot)),
		ledger.A("count", strconv.FormatUint(m.Count, 10)),
		ledger.A("operator", ctx.Signer.String()))
	return nil
}

// SegmentCount is the number of segments committed for an epoch.
func SegmentCount(st ledger.Store, epoch uint64) uint64 {
	return ledger.ReadU64(st.Get(countKey(epoch)))
}

// GetSegment returns a committed segment by its hash.
func GetSegment(st ledger.Store, hash []byte) (*proofv1.Segment, bool) {
	if len(hash) != HashLen {
		return nil, false
	}
	b := st.Get(hashKey(hash))
	if len(b) != 16 {
		return nil, false
	}
	v := st.Get(segmentKey(ledger.ReadU64(b[:8]), ledger.ReadU64(b[8:])))
	if v == nil {
		return nil, false
	}
	s := new(proofv1.Segment)
	ledger.DecodeState(v, s)
	return s, true
}

// Segments lists an epoch's segments in commit order from seq from, at most
// limit of them (limit <= 0 means all). next is the seq to continue from,
// and more reports whether segments remain.
func Segments(st ledger.Store, epoch, from uint64, limit int) (segs []*proofv1.Segment, next uint64, more bool) {
	next = from
	ledger.IteratePrefix(st, key(tagSegment, ledger.U64(epoch)), func(k, v []byte) bool {
		if ledger.ReadU64(k[len(k)-8:]) < from {
			return true
		}
		if limit > 0 && len(segs) == limit {
			more = true
			return false
		}
		s := new(proofv1.Segment)
		ledger.DecodeState(v, s)
		segs = append(segs, s)
		next = s.Seq + 1
		return true
	})
	return segs, next, more
}
