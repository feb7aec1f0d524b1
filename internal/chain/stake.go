package chain

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/stake"
)

// stakeModule is proof of stake: validators, delegation, slashing and the
// distribution of fees and the validators pool.
func stakeModule() app.Module {
	return app.Module{
		Name:             "stake",
		Prefix:           stake.PrefixStake,
		Specs:            stake.Specs(),
		Register:         stake.Register,
		Queries:          stake.Queries,
		InitGenesis:      stakeGenesis,
		BeginBlock:       stake.BeginBlock,
		EndBlock:         stake.EndBlock,
		ValidatorUpdates: stake.ValidatorUpdates,
		Invariant:        stake.Invariants,
	}
}

// govModule is governance; its module account is the params authority on
// networks whose genesis says so.
func govModule() app.Module {
	g := gov.New()
	return app.Module{
		Name:        "gov",
		Prefix:      gov.PrefixGov,
		Specs:       gov.Specs(),
		Register:    g.Register,
		Queries:     gov.Queries,
		InitGenesis: govGenesis,
		EndBlock:    g.EndBlock,
		Invariant:   gov.Invariants,
	}
}

// payValidators hands an epoch's validators pool to the staking module.
func payValidators(ctx *ledger.Context, epoch uint64, _ reward.Pool, amount uint64) *ledger.Error {
	return stake.PayValidatorsPool(ctx, epoch, amount)
}

// StakeGenesis is the "stake" section of the genesis app state. With at
// least one validator, staking drives CometBFT's validator set from the
// first block; without the section the set stays the one in CometBFT's
// genesis.
type StakeGenesis struct {
	Validators []GenesisValidator `json:"validators"`
}

// GenesisValidator is a validator of the genesis set; its operator must be
// funded in the genesis balances with at least SelfBond.
type GenesisValidator struct {
	// Operator is the operator's bech32 address.
	Operator string `json:"operator"`
	// PubKey is the ed25519 consensus key in hex.
	PubKey           string `json:"pub_key"`
	SelfBond         uint64 `json:"self_bond"`
	CommissionBps    uint32 `json:"commission_bps"`
	MaxCommissionBps uint32 `json:"max_commission_bps"`
	MaxChangeBps     uint32 `json:"max_change_bps"`
	Moniker          string `json:"moniker,omitempty"`
}

// GovGenesis is the "gov" section of the genesis app state.
type GovGenesis struct {
	// Authority makes the governance module the params authority: every
	// parameter, the oracle set and the ingest operators then change only
	// by proposal.
	Authority bool `json:"authority"`
}

func stakeGenesis(st ledger.Store, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var g StakeGenesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	vals := make([]stake.GenesisValidator, len(g.Validators))
	for i, v := range g.Validators {
		op, err := ledger.ParseAddress(v.Operator)
		if err != nil {
			return fmt.Errorf("validator %d: operator: %w", i, err)
		}
		pub, err := hex.DecodeString(v.PubKey)
		if err != nil {
			return fmt.Errorf("validator %d: public key: %w", i, err)
		}
		vals[i] = stake.GenesisValidator{Operator: op, PubKey: pub, SelfBond: v.SelfBond, CommissionBps: v.CommissionBps,
			MaxCommissionBps: v.MaxCommissionBps, MaxChangeBps: v.MaxChangeBps, Moniker: v.Moniker}
	}
	return stake.InitGenesis(st, vals)
}

func govGenesis(st ledger.Store, raw json.RawMessage) error {
	var g GovGenesis
	if raw != nil {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
	}
	return gov.InitGenesis(st, g.Authority)
}
