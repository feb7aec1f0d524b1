package app

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
)

// BankModule is the bank as an ordinary module: balances, transfers, the
// supply and its invariant, and the fee step as the FeeHook. internal/chain
// lists it first. Its genesis section is the top-level denom, decimals and
// balances of the app state (where genesis files have always had them); a
// "bank" entry under "modules" is accepted instead.
func BankModule() Module {
	return Module{
		Name:          "bank",
		Prefix:        ledger.PrefixBank,
		Specs:         bank.Specs(),
		Register:      bank.Register,
		Queries:       bankQueries,
		InitGenesis:   bankGenesis,
		ExportGenesis: bankExport,
		FeeHook:       bank.CollectFee,
		FeeBalance:    bank.Balance,
		Invariant:     bank.Invariant,
		Gauges:        bank.Gauges,
	}
}

// BankGenesis is the bank's genesis section.
type BankGenesis struct {
	Denom    string           `json:"denom"`
	Decimals uint32           `json:"decimals"`
	Balances []GenesisBalance `json:"balances"`
}

func bankGenesis(st ledger.Store, raw json.RawMessage) error {
	var g BankGenesis
	if raw != nil {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
	}
	balances := make([]bank.GenesisBalance, len(g.Balances))
	seen := make(map[ledger.Address]bool, len(g.Balances))
	for i, b := range g.Balances {
		a, err := ledger.ParseAddress(b.Address)
		if err != nil {
			return fmt.Errorf("balance %d: %w", i, err)
		}
		if seen[a] {
			return fmt.Errorf("balance of %s listed twice", b.Address)
		}
		seen[a] = true
		balances[i] = bank.GenesisBalance{Address: a, Amount: b.Amount}
	}
	return bank.InitGenesis(st, g.Denom, g.Decimals, balances)
}

func bankExport(st ledger.Store) (json.RawMessage, error) {
	sup := bank.GetSupply(st)
	g := BankGenesis{Denom: sup.Denom, Decimals: sup.Decimals, Balances: []GenesisBalance{}}
	bs, err := bank.Balances(st)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		g.Balances = append(g.Balances, GenesisBalance{Address: b.Address.String(), Amount: b.Amount})
	}
	return json.Marshal(g)
}

// supplyJSON is the answer of /supply; 64-bit integers are decimal strings.
type supplyJSON struct {
	Denom    string `json:"denom"`
	Decimals uint32 `json:"decimals"`
	Minted   uint64 `json:"minted,string"`
	Burned   uint64 `json:"burned,string"`
	Total    uint64 `json:"total,string"`
}

func bankQueries(rt *ledger.QueryRouter) {
	rt.Add("supply", func(q *ledger.Query) (any, *ledger.QueryError) {
		s := bank.GetSupply(q.Store)
		return supplyJSON{Denom: s.Denom, Decimals: s.Decimals, Minted: s.Minted, Burned: s.Burned, Total: s.Total}, nil
	})
}
