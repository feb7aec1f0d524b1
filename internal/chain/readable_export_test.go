package chain_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/stake"
)

// TestExportGenesisReadable: the market, stake and gov sections of an
// export of a busy chain are readable records (no raw hex entry), a chain
// started from them has the same genesis app hash as one started from the
// same state in the hex form of older exports (which stay importable), and
// it exports the same bytes again.
func TestExportGenesisReadable(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	g := newGen(func(n int) int { return rng.IntN(n) }, 12)
	g.staking = true
	a := chain.NewWithKinds(app.NewMemBackend(), genKinds())
	if _, err := a.InitChain(g.chainID, g.genesis()); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 120; h++ {
		var txs [][]byte
		if h > 1 {
			for _, p := range g.block(a.Committed(), 10) {
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
	st := a.Committed()
	export, err := a.ExportGenesis(st)
	if err != nil {
		t.Fatal(err)
	}
	var gen app.Genesis
	if err := json.Unmarshal(export, &gen); err != nil {
		t.Fatal(err)
	}
	sections := []struct {
		name   string
		prefix byte
		want   []string // record types the run must have produced
	}{
		{"market", market.Prefix, []string{"provider", "order", "bid", "lease", "due", "next_id"}},
		{"stake", stake.PrefixStake, []string{"validator", "delegation", "unbonding", "unbonding_queue", "active_set"}},
		{"gov", gov.PrefixGov, []string{"proposal", "deposit", "vote", "last_id"}},
	}
	for _, s := range sections {
		var sec struct {
			Records []ledger.Record `json:"records"`
		}
		if err := json.Unmarshal(gen.Modules[s.name], &sec); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		seen := map[string]int{}
		for _, r := range sec.Records {
			seen[r.Type]++
			if r.Type == ledger.RawRecord {
				t.Errorf("%s: entry %s exported raw: give its tag a record spec", s.name, r.RawKey)
			}
		}
		for _, w := range s.want {
			if seen[w] == 0 {
				t.Errorf("%s: no %s record in the export (%v)", s.name, w, seen)
			}
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, gen.Modules["stake"]); err != nil {
		t.Fatal(err)
	}
	op := `"operator":"` + (ledger.Address{}).String()[:4]
	if !strings.Contains(compact.String(), op) {
		t.Errorf("stake records do not name operators in bech32 (%s...): %.500s", op, compact.String())
	}

	// The same state in the hex form older exports used.
	legacy := gen
	legacy.Modules = map[string]json.RawMessage{}
	for k, v := range gen.Modules {
		legacy.Modules[k] = v
	}
	var err2 error
	if legacy.Modules["market"], err2 = ledger.DumpPrefix(st, market.Prefix); err2 != nil {
		t.Fatal(err2)
	}
	legacy.Modules["stake"] = mustJSON(chain.StakeGenesis{State: hexState(st, stake.PrefixStake)})
	legacy.Modules["gov"] = mustJSON(chain.GovGenesis{State: hexState(st, gov.PrefixGov)})
	old, err := json.Marshal(legacy)
	if err != nil {
		t.Fatal(err)
	}

	fromNew, fromOld := chain.NewWithKinds(app.NewMemBackend(), genKinds()), chain.NewWithKinds(app.NewMemBackend(), genKinds())
	hNew, err := fromNew.InitChain(g.chainID, export)
	if err != nil {
		t.Fatalf("init from the readable export: %v", err)
	}
	hOld, err := fromOld.InitChain(g.chainID, old)
	if err != nil {
		t.Fatalf("init from the hex export: %v", err)
	}
	if !bytes.Equal(hNew, hOld) {
		t.Fatalf("genesis app hash from the readable export %X, from the hex export %X", hNew, hOld)
	}
	for _, b := range []*app.App{fromNew, fromOld} {
		finalize(t, b, nil)
		again, err := b.ExportGenesis(b.Committed())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, export) {
			t.Fatalf("the restarted chain exports other bytes")
		}
	}
}

// hexState is a module's state in the hex record form of older exports.
func hexState(st ledger.Store, prefix byte) []chain.StateRecord {
	var out []chain.StateRecord
	ledger.IteratePrefix(st, []byte{prefix}, func(k, v []byte) bool {
		out = append(out, chain.StateRecord{Key: hex.EncodeToString(k[1:]), Value: hex.EncodeToString(v)})
		return true
	})
	return out
}
