package app

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
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

// hasBank reports whether the top level holds the bank's section.
func (g *Genesis) hasBank() bool { return g.Denom != "" || g.Decimals != 0 || len(g.Balances) > 0 }

// section returns a module's genesis section: g.Modules[name], or for the
// bank the top-level denom, decimals and balances.
func (g *Genesis) section(name string) (json.RawMessage, error) {
	raw := g.Modules[name]
	if name != "bank" || !g.hasBank() {
		return raw, nil
	}
	if raw != nil {
		return nil, fmt.Errorf("genesis: the bank section is given both at the top level and under modules")
	}
	return json.Marshal(BankGenesis{Denom: g.Denom, Decimals: g.Decimals, Balances: g.Balances})
}

// ExportGenesis writes the app state of a genesis file from st: the params
// authority, every parameter whose value differs from its default, and
// each module's section (Module.ExportGenesis; the bank's at the top
// level). It covers what genesis can express; history (epochs,
// settlements, the tx index, sequences, burned supply) is not carried.
// Starting a chain from it and exporting again gives the same bytes.
func (a *App) ExportGenesis(st ledger.Store) ([]byte, error) {
	g := Genesis{Authority: params.Authority(st).String()}
	for _, v := range a.params.Values(st) {
		if v.Value != v.Default {
			if g.Params == nil {
				g.Params = make(map[string]uint64)
			}
			g.Params[v.Name] = v.Value
		}
	}
	for _, m := range a.modules {
		if m.ExportGenesis == nil {
			continue
		}
		raw, err := m.ExportGenesis(st)
		if err != nil {
			return nil, fmt.Errorf("genesis export: module %s: %w", m.Name, err)
		}
		if raw == nil {
			continue
		}
		if m.Name == "bank" {
			var b BankGenesis
			if err := json.Unmarshal(raw, &b); err != nil {
				return nil, fmt.Errorf("genesis export: module bank: %w", err)
			}
			g.Denom, g.Decimals, g.Balances = b.Denom, b.Decimals, b.Balances
			continue
		}
		if g.Modules == nil {
			g.Modules = make(map[string]json.RawMessage)
		}
		g.Modules[m.Name] = raw
	}
	// encoding/json sorts map keys, so the output is deterministic.
	return json.MarshalIndent(&g, "", "  ")
}
