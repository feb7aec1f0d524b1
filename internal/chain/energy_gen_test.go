package chain_test

import (
	"math/rand/v2"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/energy"
)

// TestGeneratorClearsEnergy checks that the determinism generator's energy
// messages reach the auction: within a run of its length some interval
// clears with trades and settles, so the determinism test covers clearing
// and settlement, not just order placement.
func TestGeneratorClearsEnergy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	g := newGen(func(n int) int { return rng.IntN(n) }, 8)
	a := chain.NewWithKinds(app.NewMemBackend(), genKinds())
	if _, err := a.InitChain(g.chainID, g.genesis()); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 200; h++ {
		var txs [][]byte
		if h > 1 {
			for _, p := range g.block(a.Committed(), 8) {
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
	var traded, settled int
	for _, c := range energy.Clearings(a.Committed(), 0, energy.MaxLimit) {
		if c.TradedWh > 0 && c.Settled {
			traded++
		}
		if c.Settled {
			settled++
		}
	}
	if traded == 0 {
		t.Fatalf("no interval cleared with trades and settled (%d settled)", settled)
	}
	t.Logf("%d intervals settled, %d with trades", settled, traded)
}
