package reward

import (
	"testing"

	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	"google.golang.org/protobuf/proto"
)

func TestEpochHeights(t *testing.T) {
	f := newFixture(t, 0)
	for h := int64(1); h <= 3*fixtureEpochBlocks; h++ {
		cur := CurrentEpoch(f.st)
		want := uint64((h - 1) / fixtureEpochBlocks)
		if cur.Number != want {
			t.Fatalf("height %d runs in epoch %d, want %d", h, cur.Number, want)
		}
		if lo, hi := int64(want)*fixtureEpochBlocks+1, int64(want+1)*fixtureEpochBlocks; cur.StartHeight != lo || cur.EndHeight != hi {
			t.Fatalf("epoch %d covers [%d, %d], want [%d, %d]", want, cur.StartHeight, cur.EndHeight, lo, hi)
		}
		f.block()
	}
	if got := countEvents(f.events, "reward.epoch_end"); got != 3 {
		t.Fatalf("%d epoch_end events, want 3", got)
	}
}

func TestEpochLengthChangeAtBoundary(t *testing.T) {
	f := newFixture(t, 0)
	f.advanceTo(5)
	reg := params.NewRegistry(Specs(), epoch.Specs())
	rt := ledger.NewRouter()
	reg.Register(rt)
	h, _ := rt.Handler(params.TypeSet)
	raw, _ := proto.Marshal(&paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: epoch.Blocks.Name, Value: 20}}})
	if e := h(&ledger.Context{Store: f.st, Signer: authority}, raw); e != nil {
		t.Fatal(e)
	}
	f.advanceTo(fixtureEpochBlocks)
	ep0, _ := GetEpoch(f.st, 0)
	ep1 := CurrentEpoch(f.st)
	if ep0.EndHeight != fixtureEpochBlocks || ep1.Number != 1 || ep1.StartHeight != 11 || ep1.EndHeight != 30 {
		t.Fatalf("epoch 0 ends %d, epoch %d covers [%d, %d]; want 10, epoch 1 [11, 30]", ep0.EndHeight, ep1.Number, ep1.StartHeight, ep1.EndHeight)
	}
}

func TestSegmentsOpen(t *testing.T) {
	f := newFixture(t, 1, 1)
	tests := []struct {
		height int64 // executing height
		epoch  uint64
		want   bool
	}{
		{1, 0, true},
		{1, 1, false},
		{10, 0, true},
		{11, 0, true}, // grace: end 10 + 2
		{12, 0, true},
		{13, 0, false},
		{13, 1, true},
		{25, 0, false}, // two epochs back
		{25, 2, true},
		{25, 3, false}, // future
	}
	for _, tc := range tests {
		f.advanceTo(tc.height - 1)
		if got := SegmentsOpen(f.st, tc.epoch, tc.height); got != tc.want {
			t.Errorf("height %d epoch %d: open %v, want %v", tc.height, tc.epoch, got, tc.want)
		}
	}
	// A root submission seals the epoch even inside a longer grace period.
	g := newFixture(t, 1, 1)
	g.openFor(0)
	if !SegmentsOpen(g.st, 1, g.height+1) {
		t.Fatalf("running epoch closed")
	}
	if e := g.exec(oracleAddr(0), TypeSubmitRoot, submitMsg(g.epochResult(0, nil, []uint64{1}))); e != nil {
		t.Fatal(e)
	}
	if ep, _ := GetEpoch(g.st, 0); !ep.Sealed {
		t.Fatalf("epoch 0 not sealed after a submission")
	}
}

func countEvents(evs []ledger.Event, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}
