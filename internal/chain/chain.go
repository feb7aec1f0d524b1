package chain

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/coverage"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/reward"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// New builds the chain's state machine over a backend.
func New(db app.Backend) *app.App { return app.New(db, Modules()...) }

// Modules lists the chain's modules in execution order.
func Modules() []app.Module {
	return []app.Module{
		app.BankModule(),
		{
			Name:        "device",
			Prefix:      ledger.PrefixDevice,
			Specs:       device.Specs(),
			Register:    device.Register,
			Queries:     query.Devices,
			InitGenesis: deviceGenesis,
			Invariant:   device.Invariants,
		},
		{
			Name:          "proof",
			Prefix:        ledger.PrefixProof,
			Specs:         proof.Specs(),
			Register:      proof.Register,
			Queries:       proof.Queries,
			InitGenesis:   proofGenesis,
			ExportGenesis: proofExport,
			EndBlock:      proof.EndBlock,
			Invariant:     proof.Invariants,
		},
		{
			Name:          "reward",
			Prefix:        ledger.PrefixReward,
			Specs:         reward.Specs(),
			Register:      reward.Register,
			Queries:       reward.Queries,
			InitGenesis:   rewardGenesis,
			ExportGenesis: rewardExport,
			EndBlock:      reward.EndBlock,
			Invariant:     reward.Invariants,
		},
		{
			// The coverage scorer runs off chain in the oracles; its
			// parameters live on chain so the params authority tunes them.
			Name:  "coverage",
			Specs: coverageSpecs(),
		},
	}
}

// coverageSpecs exposes the coverage scorer's parameters to the params
// registry under coverage.ParamPrefix.
func coverageSpecs() []params.Spec {
	cs := coverage.Specs()
	out := make([]params.Spec, len(cs))
	for i, s := range cs {
		out[i] = params.Spec{Name: coverage.ParamPrefix + s.Name, Default: s.Default, Min: s.Min, Max: s.Max, Doc: s.Doc}
	}
	return out
}

// DeviceGenesis is the "device" section of the genesis app state.
type DeviceGenesis struct {
	Makers []GenesisMaker `json:"makers"`
}

// GenesisMaker is a maker registered at genesis.
type GenesisMaker struct {
	Name string `json:"name"`
	// PubKey is the maker's ed25519 public key in hex.
	PubKey     string   `json:"pub_key"`
	Kinds      []string `json:"kinds"`
	OnboardFee uint64   `json:"onboard_fee"`
}

func deviceGenesis(st ledger.Store, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var g DeviceGenesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	makers := make([]device.GenesisMaker, len(g.Makers))
	for i, m := range g.Makers {
		pub, err := hex.DecodeString(m.PubKey)
		if err != nil {
			return fmt.Errorf("maker %q: public key: %w", m.Name, err)
		}
		kinds := make([]devicev1.Kind, len(m.Kinds))
		for j, k := range m.Kinds {
			kind, ok := device.ParseKind(k)
			if !ok {
				return fmt.Errorf("maker %q: unknown kind %q", m.Name, k)
			}
			kinds[j] = kind
		}
		makers[i] = device.GenesisMaker{Name: m.Name, PubKey: pub, Kinds: kinds, OnboardFee: m.OnboardFee}
	}
	return device.InitGenesis(st, makers, nil)
}
