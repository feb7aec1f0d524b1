package proof

import (
	"bytes"
	"testing"

	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

func commit(epoch uint64, i int, count uint64) *proofv1.MsgCommitSegment {
	return &proofv1.MsgCommitSegment{Epoch: epoch, Hash: segHash(i), MerkleRoot: segHash(1000 + i), Count: count}
}

func TestCommitSegment(t *testing.T) {
	f := newFixture(t, map[string]uint64{MaxSegmentsPerEpoch.Name: 3, MaxSegmentReports.Name: 500})
	f.advanceTo(4)
	for i := 0; i < 2; i++ {
		if e := f.exec(operator, TypeCommitSegment, commit(0, i, 10)); e != nil {
			t.Fatalf("segment %d: %v", i, e)
		}
	}
	f.advanceTo(epochBlocks + 1) // epoch 1 runs; epoch 0 in grace
	if e := f.exec(operator, TypeCommitSegment, commit(0, 2, 500)); e != nil {
		t.Fatalf("late segment of epoch 0 in grace: %v", e)
	}
	if e := f.exec(operator, TypeCommitSegment, commit(1, 3, 1)); e != nil {
		t.Fatalf("segment of epoch 1: %v", e)
	}
	segs, next, more := Segments(f.st, 0, 0, 0)
	if len(segs) != 3 || next != 3 || more {
		t.Fatalf("epoch 0: %d segments, next %d, more %v; want 3, 3, false", len(segs), next, more)
	}
	for i, s := range segs {
		if s.Seq != uint64(i) || !bytes.Equal(s.Hash, segHash(i)) || !bytes.Equal(s.Operator, operator[:]) {
			t.Errorf("segment %d: seq %d hash %x operator %x", i, s.Seq, s.Hash, s.Operator)
		}
	}
	page, next, more := Segments(f.st, 0, 1, 1)
	if len(page) != 1 || page[0].Seq != 1 || next != 2 || !more {
		t.Fatalf("page from 1 limit 1: %d segments, next %d, more %v", len(page), next, more)
	}
	if s, ok := GetSegment(f.st, segHash(3)); !ok || s.Epoch != 1 || s.Height != f.height+1 {
		t.Fatalf("GetSegment(3) = %v, %v", s, ok)
	}
	if got := SegmentCount(f.st, 1); got != 1 {
		t.Fatalf("epoch 1 count %d, want 1", got)
	}

	tests := []struct {
		name   string
		signer ledger.Address
		msg    *proofv1.MsgCommitSegment
		code   ledger.Code
	}{
		{"not an operator", stranger, commit(1, 10, 1), CodeNotOperator},
		{"the authority is no operator", authority, commit(1, 10, 1), CodeNotOperator},
		{"short hash", operator, &proofv1.MsgCommitSegment{Epoch: 1, Hash: segHash(10)[:31], MerkleRoot: segHash(11), Count: 1}, ledger.CodeMalformed},
		{"short root", operator, &proofv1.MsgCommitSegment{Epoch: 1, Hash: segHash(10), MerkleRoot: nil, Count: 1}, ledger.CodeMalformed},
		{"zero count", operator, commit(1, 10, 0), ledger.CodeInvalidAmount},
		{"count above max", operator, commit(1, 10, 501), ledger.CodeInvalidAmount},
		{"future epoch", operator, commit(2, 10, 1), CodeSegmentWindow},
		{"duplicate hash", operator, commit(1, 0, 1), CodeSegmentExists},
		{"epoch full", operator, commit(0, 10, 1), CodeSegmentLimitEpoch},
	}
	for _, tc := range tests {
		before := f.dump()
		wantCode(t, tc.name, f.exec(tc.signer, TypeCommitSegment, tc.msg), tc.code)
		if f.dump() != before {
			t.Fatalf("%s: rejection changed state", tc.name)
		}
	}
	wantCode(t, "unknown field", f.execRaw(operator, TypeCommitSegment, []byte{0xf8, 0x07, 0x01}), ledger.CodeMalformed)
	f.advanceTo(epochBlocks + grace)
	wantCode(t, "previous epoch after grace", f.exec(operator, TypeCommitSegment, commit(0, 10, 1)), CodeSegmentWindow)
	f.advanceTo(3 * epochBlocks)
	wantCode(t, "two epochs back", f.exec(operator, TypeCommitSegment, commit(1, 10, 1)), CodeSegmentWindow)
}

func TestRootSubmissionSealsSegments(t *testing.T) {
	f := newFixture(t, map[string]uint64{reward.SegmentGraceBlocks.Name: 0})
	f.advanceTo(epochBlocks)
	root := reward.EmptyRoot
	m := &rewardv1.MsgSubmitRoot{Epoch: 0, Root: root[:], Pools: []*rewardv1.PoolPaid{{Name: "coverage"}}, InputsHash: root[:], StateHash: root[:]}
	if e := f.exec(oracle, reward.TypeSubmitRoot, m); e != nil {
		t.Fatal(e)
	}
	// Raising the grace period later does not reopen a sealed epoch.
	reg := params.NewRegistry(Specs(), reward.Specs(), epoch.Specs())
	reg.Register(f.router)
	raise := &paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: reward.SegmentGraceBlocks.Name, Value: 100}}}
	if e := f.exec(authority, params.TypeSet, raise); e != nil {
		t.Fatal(e)
	}
	wantCode(t, "segment of a sealed epoch", f.exec(operator, TypeCommitSegment, commit(0, 1, 1)), CodeSegmentWindow)
	if e := f.exec(operator, TypeCommitSegment, commit(1, 1, 1)); e != nil {
		t.Fatalf("segment of the running epoch: %v", e)
	}
}
