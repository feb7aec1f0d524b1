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

// GenesisPool is one reward pool: a name and its basis points.
type GenesisPool struct {
	Name string `json:"name"`
	Bps  uint32 `json:"bps"`
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
			pools[i] = reward.Pool{Name: p.Name, Bps: p.Bps}
		}
	}
	return reward.InitGenesis(st, oracles, pools)
}
