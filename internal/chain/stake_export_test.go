package chain_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
)

// A chain with staking and governance state exports it record by record;
// a chain started from the export passes the invariants and exports the
// same bytes.
func TestExportGenesisRoundTripStaking(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	g := newGen(func(n int) int { return rng.IntN(n) }, 8)
	g.staking = true
	a := chain.NewWithKinds(app.NewMemBackend(), genKinds())
	if _, err := a.InitChain(g.chainID, g.genesis()); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 40; h++ {
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
	first, err := a.ExportGenesis(a.Committed())
	if err != nil {
		t.Fatal(err)
	}
	b := chain.NewWithKinds(app.NewMemBackend(), genKinds())
	if _, err := b.InitChain(g.chainID, first); err != nil {
		t.Fatalf("init from export: %v", err)
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
		t.Fatalf("export of the re-started chain differs")
	}
	if !bytes.Contains(first, []byte(`"stake": {`)) || !bytes.Contains(first, []byte(`"type": "delegation"`)) {
		t.Fatalf("export has no staking state: %.3000s", first)
	}
}
