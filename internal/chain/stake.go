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
		ExportGenesis:    exportState(stake.PrefixStake, func(recs []StateRecord) any { return StakeGenesis{State: recs} }),
		BeginBlock:       stake.BeginBlock,
		EndBlock:         stake.EndBlock,
		ValidatorUpdates: stake.ValidatorUpdates,
		Invariant:        stake.Invariants,
		Gauges:           stake.Gauges,
	}
}

// govModule is governance; its module account is the params authority on
// networks whose genesis says so.
func govModule() app.Module {
	g := gov.New()
	return app.Module{
		Name:          "gov",
		Prefix:        gov.PrefixGov,
		Specs:         gov.Specs(),
		Register:      g.Register,
		Queries:       gov.Queries,
		InitGenesis:   govGenesis,
		ExportGenesis: exportState(gov.PrefixGov, func(recs []StateRecord) any { return GovGenesis{State: recs} }),
		EndBlock:      g.EndBlock,
		Invariant:     gov.Invariants,
		Gauges:        gov.Gauges,
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
	Validators []GenesisValidator `json:"validators,omitempty"`
	// State is an exported chain's staking state, record by record
	// (validators, delegations, unbonding and redelegation entries,
	// reward accumulators, the active set); it restores the module
	// exactly, its tokens being in the exported balances of the module
	// accounts. It excludes Validators.
	State []StateRecord `json:"state,omitempty"`
}

// StateRecord is one key (without the module prefix) and value of a
// module's state, in hex.
type StateRecord struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// exportState writes a module's state records, in key order, into the
// section section builds.
func exportState(prefix byte, section func([]StateRecord) any) func(ledger.Store) (json.RawMessage, error) {
	return func(st ledger.Store) (json.RawMessage, error) {
		recs := []StateRecord{}
		ledger.IteratePrefix(st, []byte{prefix}, func(k, v []byte) bool {
			recs = append(recs, StateRecord{Key: hex.EncodeToString(k[1:]), Value: hex.EncodeToString(v)})
			return true
		})
		if len(recs) == 0 {
			return nil, nil
		}
		return json.Marshal(section(recs))
	}
}

// importState writes exported records back under prefix.
func importState(st ledger.Store, prefix byte, recs []StateRecord) error {
	for i, r := range recs {
		k, err := hex.DecodeString(r.Key)
		if err != nil || len(k) == 0 {
			return fmt.Errorf("state record %d: key %q is not hex", i, r.Key)
		}
		v, err := hex.DecodeString(r.Value)
		if err != nil {
			return fmt.Errorf("state record %d: value is not hex", i)
		}
		st.Set(append([]byte{prefix}, k...), v)
	}
	return nil
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
	Authority bool `json:"authority,omitempty"`
	// State is an exported chain's proposals, deposits and votes, record by
	// record.
	State []StateRecord `json:"state,omitempty"`
}

func stakeGenesis(st ledger.Store, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var g StakeGenesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if len(g.State) > 0 {
		if len(g.Validators) > 0 {
			return fmt.Errorf("give validators or an exported state, not both")
		}
		return importState(st, stake.PrefixStake, g.State)
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
	if err := importState(st, gov.PrefixGov, g.State); err != nil {
		return err
	}
	return gov.InitGenesis(st, g.Authority)
}
