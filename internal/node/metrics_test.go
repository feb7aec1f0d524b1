package node

import (
	"context"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/depin-network/depin/internal/ledger"
)

// blockApp answers FinalizeBlock with fixed results.
type blockApp struct {
	abcitypes.BaseApplication
	res *abcitypes.ResponseFinalizeBlock
}

func (a blockApp) FinalizeBlock(context.Context, *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	return a.res, nil
}

func TestMeasuredApp(t *testing.T) {
	m := NewMetrics(func() int { return 7 })
	app := measuredApp{blockApp{res: &abcitypes.ResponseFinalizeBlock{
		Events: []abcitypes.Event{{Type: "epoch.end"}, {Type: "reward.settled"}},
		TxResults: []*abcitypes.ExecTxResult{
			{Code: 0, Events: []abcitypes.Event{{Type: "tx"}, {Type: "reward.claim"}}},
			{Code: uint32(ledger.CodeInsufficientFunds)},
			{Code: 0, Events: []abcitypes.Event{{Type: "tx"}, {Type: "proof.segment"}, {Type: "proof.segment"}}},
		},
	}}, m}
	if _, err := app.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{Height: 42}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		got  float64
		want float64
	}{
		{"height", testutil.ToFloat64(m.height), 42},
		{"txs ok", testutil.ToFloat64(m.txs.WithLabelValues("ok")), 2},
		{"txs insufficient_funds", testutil.ToFloat64(m.txs.WithLabelValues("insufficient_funds")), 1},
		{"events tx", testutil.ToFloat64(m.events.WithLabelValues("tx")), 2},
		{"segments", testutil.ToFloat64(m.byEvent["proof.segment"]), 2},
		{"epochs ended", testutil.ToFloat64(m.byEvent["epoch.end"]), 1},
		{"settled", testutil.ToFloat64(m.byEvent["reward.settled"]), 1},
		{"claims", testutil.ToFloat64(m.byEvent["reward.claim"]), 1},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if n := testutil.CollectAndCount(m.blockTime); n != 1 {
		t.Errorf("block time: got %d series, want 1", n)
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fams {
		if f.GetName() == "depin_mempool_txs" {
			found = f.Metric[0].GetGauge().GetValue() == 7
		}
	}
	if !found {
		t.Error("depin_mempool_txs: not 7")
	}
}
