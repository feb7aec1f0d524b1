package app

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
)

// Genesis is the app's part of the genesis file (CometBFT's app_state).
type Genesis struct {
	// Denom is the native token's base denomination, e.g. "upin".
	Denom string `json:"denom"`
	// Decimals between the display unit and the base unit.
	Decimals uint32 `json:"decimals"`
	// Authority may change parameters and register makers.
	Authority string `json:"authority"`
	// Balances funds accounts at genesis.
	Balances []GenesisBalance `json:"balances"`
	// Params overrides parameter defaults by name.
	Params map[string]uint64 `json:"params,omitempty"`
	// Modules holds further module genesis sections by module name.
	Modules map[string]json.RawMessage `json:"modules,omitempty"`
}

// GenesisBalance is one funded account.
type GenesisBalance struct {
	Address string `json:"address"`
	Amount  uint64 `json:"amount"`
}

// ParseGenesis decodes and checks the app state of a genesis file.
func ParseGenesis(raw []byte) (*Genesis, error) {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("genesis: decode app state: %w", err)
	}
	if _, err := ledger.ParseAddress(g.Authority); err != nil {
		return nil, fmt.Errorf("genesis: authority: %w", err)
	}
	seen := make(map[string]bool, len(g.Balances))
	for _, b := range g.Balances {
		if _, err := ledger.ParseAddress(b.Address); err != nil {
			return nil, fmt.Errorf("genesis: balance: %w", err)
		}
		if seen[b.Address] {
			return nil, fmt.Errorf("genesis: balance of %s listed twice", b.Address)
		}
		seen[b.Address] = true
	}
	return &g, nil
}

func (g *Genesis) bankBalances() []bank.GenesisBalance {
	out := make([]bank.GenesisBalance, len(g.Balances))
	for i, b := range g.Balances {
		a, _ := ledger.ParseAddress(b.Address)
		out[i] = bank.GenesisBalance{Address: a, Amount: b.Amount}
	}
	return out
}
