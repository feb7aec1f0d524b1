package chain_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/reward"
)

// A chain started from an exported genesis holds what the export covers
// (balances, params, oracles, operators, pools) and exports the same bytes.
func TestExportGenesisRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	g := newGen(func(n int) int { return rng.IntN(n) }, 8)
	a := chain.NewWithKinds(app.NewMemBackend(), genKinds())
	if _, err := a.InitChain(g.chainID, g.genesis()); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 40; h++ {
		var txs [][]byte
		if h > 1 {
			for _, p := range g.block(a.Committed(), 6) {
				txs = append(txs, p.raw)
			}
		}
		if _, err := a.FinalizeBlock(app.Block{Height: h, Time: h * 1e9, Txs: txs}); err != nil {
			t.Fatal(err)
		}
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	first, err := a.ExportGenesis(a.Committed())
	if err != nil {
		t.Fatal(err)
	}
	b := chain.NewWithKinds(app.NewMemBackend(), genKinds())
	if _, err := b.InitChain(g.chainID, first); err != nil {
		t.Fatalf("init from export: %v\n%s", err, first)
	}
	if _, err := b.FinalizeBlock(app.Block{Height: 1, Time: 1}); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckInvariants(b.Committed()); err != nil {
		t.Fatal(err)
	}
	second, err := b.ExportGenesis(b.Committed())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("export of the re-started chain differs:\n%s\nwant\n%s", second, first)
	}
	sa, sb := a.Committed(), b.Committed()
	ba, _ := bank.Balances(sa)
	bb, _ := bank.Balances(sb)
	if len(ba) == 0 || len(ba) != len(bb) {
		t.Fatalf("%d balances exported, %d restored", len(ba), len(bb))
	}
	for i := range ba {
		if ba[i] != bb[i] {
			t.Fatalf("balance %d: %v, restored %v", i, ba[i], bb[i])
		}
	}
	for i, v := range a.Params().Values(sa) {
		if w := b.Params().Values(sb)[i]; w.Value != v.Value {
			t.Errorf("param %s = %d, restored %d", v.Name, v.Value, w.Value)
		}
	}
	if len(reward.Oracles(sa)) != len(reward.Oracles(sb)) || !equalPools(reward.Pools(sa), reward.Pools(sb)) {
		t.Errorf("oracles or pools differ after the round trip")
	}
	if sup := bank.GetSupply(sb); sup.Total != bank.GetSupply(sa).Total {
		t.Errorf("supply %d, want %d", sup.Total, bank.GetSupply(sa).Total)
	}
}

func equalPools(a, b []reward.Pool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
