package oracle

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"slices"
)

// TestNodeLedgerReadsChain runs the real chain state machine (every module
// chain.New registers) for two epochs and reads it through NodeLedger.
func TestNodeLedgerReadsChain(t *testing.T) {
	a := chain.New(app.NewMemBackend())
	auth := ledger.AddressOf([]byte("authority"))
	g := app.Genesis{Denom: "upin", Decimals: 6, Authority: auth.String(),
		Balances: []app.GenesisBalance{{Address: auth.String(), Amount: 1_000_000}},
		Params:   map[string]uint64{epoch.Blocks.Name: 10}}
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain("oracle-test", raw); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 25; h++ {
		if _, err := a.FinalizeBlock(app.Block{Height: h, Time: h * 1e9}); err != nil {
			t.Fatal(err)
		}
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	l := &NodeLedger{State: a,
		BlockTime: func(_ context.Context, h int64) (int64, error) { return h * 1e9, nil }}
	ctx := context.Background()
	e, err := l.Epoch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Ended || e.StartHeight != 1 || e.EndHeight != 10 || len(e.Pools) == 0 || e.StartTime != 1e9 || e.EndTime != 10e9 {
		t.Errorf("epoch 0: got %+v, want ended, heights 1-10 at times 1 s and 10 s, with pools", e)
	}
	if h, _ := l.Height(ctx); h != 25 {
		t.Errorf("height: got %d, want 25", h)
	}
	if g, _ := l.GraceBlocks(ctx); g != int64(reward.SegmentGraceBlocks.Default) {
		t.Errorf("grace: got %d, want %d", g, reward.SegmentGraceBlocks.Default)
	}
	b, err := l.Block(ctx, 20)
	if err != nil || b.Time != 20e9 || b.Hash == ([32]byte{}) {
		t.Errorf("block 20: got %+v, %v; want its entropy and time", b, err)
	}
	if _, err := l.Block(ctx, 99); !errors.Is(err, score.ErrNotFound) {
		t.Errorf("block 99: got %v, want ErrNotFound", err)
	}
	if _, err := l.Settlement(ctx, 0); !errors.Is(err, score.ErrNotFound) {
		t.Errorf("settlement 0: got %v, want ErrNotFound", err)
	}
	if segs, err := l.Segments(ctx, 0); err != nil || len(segs) != 0 {
		t.Errorf("segments: got %v, %v; want none", segs, err)
	}
	// The epoch recorded the coverage params, its scorer version and the
	// receive-time slack as it ended.
	p, v, err := score.KindParams(e, coverage.Kind{})
	if err != nil || !slices.Equal(p, kind.Defaults(coverage.Kind{}.Specs())) || v != kind.Current(coverage.Kind{}) {
		t.Errorf("coverage params recorded in epoch 0: got %+v version %d, %v; want the defaults and version %d", p, v, err, kind.Current(coverage.Kind{}))
	}
	if slack, err := score.WindowSlack(e); err != nil || slack != time.Duration(reward.WindowSlackMs.Default)*time.Millisecond {
		t.Errorf("slack recorded in epoch 0: got %v, %v; want the default", slack, err)
	}
	if next, err := l.NextToSettle(ctx); err != nil || next != 0 {
		t.Errorf("next to settle: got %d, %v; want 0", next, err)
	}
	if _, err := l.Epoch(ctx, 50); !errors.Is(err, score.ErrNotFound) {
		t.Errorf("epoch 50: got %v, want ErrNotFound", err)
	}
}
