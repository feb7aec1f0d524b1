package market

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

func TestBootstrapPools(t *testing.T) {
	pools := []reward.Pool{
		{Name: "coverage", Bps: 3_000, Recipient: reward.RecipientDevices, Kind: "coverage"},
		{Name: "usage", Bps: 4_000, Recipient: reward.RecipientUsage},
		{Name: "storage", Bps: 1_000, Recipient: reward.RecipientDevices, Kind: "storage"},
		{Name: "treasury", Bps: 2_000, Recipient: reward.RecipientTreasury},
	}
	for _, c := range []struct {
		name      string
		bootstrap uint64
		credits   uint64
		want      []uint32
	}{
		{"no usage moves the whole usage pool", 1, 0, []uint32{6_000, 0, 2_000, 2_000}},
		{"usage keeps what it earns", 1, 1_000, []uint32{5_985, 20, 1_995, 2_000}}, // 1,000 credits × 20 upin of 10,000,000: 20 bps
		{"not bootstrapping changes nothing", 0, 0, []uint32{3_000, 4_000, 1_000, 2_000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, map[string]uint64{"market.bootstrapping": c.bootstrap}, "alice", "p1")
			e.provider("p1")
			if c.credits > 0 {
				e.buy("alice", c.credits)
				e.must("p1", TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p1", 0, c.credits, 1)}})
			}
			out, _ := bootstrapPools(e.st, 0, 10_000_000, pools)
			if err := reward.ValidatePools(out); err != nil {
				t.Fatal(err)
			}
			for i, p := range out {
				if p.Bps != c.want[i] {
					t.Errorf("pool %s: %d bps, want %d", p.Name, p.Bps, c.want[i])
				}
			}
			if pools[1].Bps != 4_000 {
				t.Fatal("the input list was modified")
			}
		})
	}
}

// Without a usage pool, an ending epoch's usage is forgotten (nothing will
// ever pay it), and the pools are returned as they are.
func TestEpochEndWithoutUsagePool(t *testing.T) {
	e := newEnv(t, nil, "alice", "p1")
	e.provider("p1")
	e.buy("alice", 100)
	e.must("p1", TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p1", 0, 40, 1)}})
	pools := reward.DefaultPools()
	ctx := &ledger.Context{Store: e.st, ChainID: testChain, Height: e.height}
	extra, out := EpochEnd(ctx, 0, 1_000_000, pools)
	if extra != 500 || len(out) != len(pools) || out[0].Bps != pools[0].Bps {
		t.Fatalf("extra %d pools %+v", extra, out)
	}
	if _, total := EpochUsage(e.st, 0); total != 0 {
		t.Fatalf("usage of epoch 0 kept without a usage pool: %d", total)
	}
	e.checkInvariants()
}
