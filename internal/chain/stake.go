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
		ExportGenesis:    exportRecords(stake.PrefixStake, stake.RecordSpecs(), func(recs []ledger.Record) any { return StakeGenesis{Records: recs} }),
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
		ExportGenesis: exportRecords(gov.PrefixGov, gov.RecordSpecs(), func(recs []ledger.Record) any { return GovGenesis{Records: recs} }),
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
	// Records is an exported chain's staking state, record by record
	// (validators, delegations, unbonding and redelegation entries and
	// their queues, the active set; ledger.Record); it restores the module
	// exactly, its tokens being in the exported balances of the module
	// accounts. It excludes Validators.
	Records []ledger.Record `json:"records,omitempty"`
	// State is the same in the hex form of older exports, still imported.
	State []StateRecord `json:"state,omitempty"`
}

// StateRecord is one key (without the module prefix) and value of a
// module's state, in hex: the form of older exports.
type StateRecord struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// exportRecords writes a module's state as readable records, in key
// order, into the section section builds (nil when empty).
func exportRecords(prefix byte, specs []ledger.RecordSpec, section func([]ledger.Record) any) func(ledger.Store) (json.RawMessage, error) {
	return func(st ledger.Store) (json.RawMessage, error) {
		recs, err := ledger.ExportRecords(st, prefix, specs)
		if err != nil || len(recs) == 0 {
			return nil, err
		}
		return json.Marshal(section(recs))
	}
}

// importSection writes a section's records, or the hex records of an
// older export, under prefix.
func importSection(st ledger.Store, prefix byte, specs []ledger.RecordSpec, recs []ledger.Record, legacy []StateRecord) error {
	if len(recs) > 0 && len(legacy) > 0 {
		return fmt.Errorf("give records or state, not both")
	}
	if err := ledger.ImportRecords(st, prefix, specs, recs); err != nil {
		return err
	}
	return importState(st, prefix, legacy)
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
	// Records is an exported chain's proposals, deposits and votes, record
	// by record (ledger.Record).
	Records []ledger.Record `json:"records,omitempty"`
	// State is the same in the hex form of older exports, still imported.
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
	if len(g.State) > 0 || len(g.Records) > 0 {
		if len(g.Validators) > 0 {
			return fmt.Errorf("give validators or an exported state, not both")
		}
		return importSection(st, stake.PrefixStake, stake.RecordSpecs(), g.Records, g.State)
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
	if err := importSection(st, gov.PrefixGov, gov.RecordSpecs(), g.Records, g.State); err != nil {
		return err
	}
	return gov.InitGenesis(st, g.Authority)
}
