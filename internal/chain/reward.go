package chain

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
)

// ProofGenesis is the "proof" section of the genesis app state.
type ProofGenesis struct {
	// Operators are the bech32 addresses of the ingest operator keys.
	Operators []string `json:"operators"`
}

// RewardGenesis is the "reward" section of the genesis app state.
type RewardGenesis struct {
	Oracles []GenesisOracle `json:"oracles"`
	// Pools replaces reward.DefaultPools when present.
	Pools []GenesisPool `json:"pools,omitempty"`
}

// GenesisOracle is an oracle of the genesis oracle set.
type GenesisOracle struct {
	Address string `json:"address"`
	Weight  uint64 `json:"weight"`
}

// GenesisPool is one reward pool: a name, its basis points and who it pays
// (recipient "devices" with the kind whose devices it pays, or "usage",
// "oracles", "validators", "treasury").
type GenesisPool struct {
	Name      string `json:"name"`
	Bps       uint32 `json:"bps"`
	Recipient string `json:"recipient"`
	Kind      string `json:"kind,omitempty"`
}

func proofGenesis(st ledger.Store, raw json.RawMessage) error {
	var g ProofGenesis
	if raw != nil {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
	}
	ops := make([]ledger.Address, len(g.Operators))
	for i, s := range g.Operators {
		a, err := ledger.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("operator %d: %w", i, err)
		}
		ops[i] = a
	}
	return proof.InitGenesis(st, ops)
}

func rewardGenesis(st ledger.Store, raw json.RawMessage) error {
	var g RewardGenesis
	if raw != nil {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
	}
	oracles := make([]reward.GenesisOracle, len(g.Oracles))
	for i, o := range g.Oracles {
		a, err := ledger.ParseAddress(o.Address)
		if err != nil {
			return fmt.Errorf("oracle %d: %w", i, err)
		}
		oracles[i] = reward.GenesisOracle{Address: a, Weight: o.Weight}
	}
	var pools []reward.Pool
	if g.Pools != nil {
		pools = make([]reward.Pool, len(g.Pools))
		for i, p := range g.Pools {
			r, ok := reward.ParseRecipient(p.Recipient)
			if !ok {
				return fmt.Errorf("pool %q: unknown recipient %q", p.Name, p.Recipient)
			}
			pools[i] = reward.Pool{Name: p.Name, Bps: p.Bps, Recipient: r, Kind: p.Kind}
		}
	}
	return reward.InitGenesis(st, oracles, pools)
}

func proofExport(st ledger.Store) (json.RawMessage, error) {
	g := ProofGenesis{Operators: []string{}}
	for _, o := range proof.Operators(st) {
		a, err := ledger.AddressFromBytes(o.Address)
		if err != nil {
			return nil, fmt.Errorf("operator: %w", err)
		}
		g.Operators = append(g.Operators, a.String())
	}
	return json.Marshal(g)
}

// rewardExport writes the oracle set and the current pool list. Epochs,
// settlements and claims are history, not genesis: a chain started from
// the export opens epoch 0 again.
func rewardExport(st ledger.Store) (json.RawMessage, error) {
	g := RewardGenesis{Oracles: []GenesisOracle{}}
	for _, o := range reward.Oracles(st) {
		a, err := ledger.AddressFromBytes(o.Address)
		if err != nil {
			return nil, fmt.Errorf("oracle: %w", err)
		}
		g.Oracles = append(g.Oracles, GenesisOracle{Address: a.String(), Weight: o.Weight})
	}
	for _, p := range reward.Pools(st) {
		g.Pools = append(g.Pools, GenesisPool{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient.String(), Kind: p.Kind})
	}
	return json.Marshal(g)
}
