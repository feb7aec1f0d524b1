package chain

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/dataaccess"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/storage"
)

// New builds the chain's state machine over a backend.
func New(db app.Backend) *app.App { return app.New(db, Modules()...) }

// NewWithKinds builds the chain's state machine with other network kinds
// than Kinds (a test's toy kind).
func NewWithKinds(db app.Backend, kinds *kind.Registry) *app.App {
	return app.New(db, ModulesWithKinds(kinds)...)
}

// Modules lists the chain's modules in execution order, the kinds' last.
func Modules() []app.Module { return ModulesWithKinds(kinds) }

// ModulesWithKinds lists the chain's modules for a registry of kinds.
func ModulesWithKinds(kinds *kind.Registry) []app.Module {
	return withKinds([]app.Module{
		app.BankModule(),
		{
			// The epoch clock runs first in end block, so every module
			// after it sees an epoch that ended at this height.
			Name:        "epoch",
			Prefix:      ledger.PrefixEpoch,
			Specs:       epoch.Specs(),
			InitGenesis: epochGenesis,
			EndBlock:    epoch.EndBlock,
			Invariant:   epoch.Invariant,
		},
		{
			Name:        "device",
			Prefix:      ledger.PrefixDevice,
			Specs:       device.Specs(),
			Register:    device.Register(kinds),
			Queries:     query.Devices,
			InitGenesis: func(st ledger.Store, raw json.RawMessage) error { return deviceGenesis(st, kinds, raw) },
			Invariant:   device.Invariants,
			Gauges:      device.Gauges,
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
			Name:   "reward",
			Prefix: ledger.PrefixReward,
			Specs:  reward.Specs(),
			// The market pays the usage pool and adjusts each ending
			// epoch (credit re-mint, bootstrapping usage flow); staking
			// pays the validators pool.
			Register:      reward.Handlers(rewardPayers()),
			Queries:       reward.Queries,
			InitGenesis:   rewardGenesis,
			ExportGenesis: rewardExport,
			EndBlock:      reward.EndBlockWithParams(market.EpochEnd, epochParams(kinds)),
			Invariant:     reward.Invariants,
		},
		{
			Name:          "credit",
			Prefix:        credit.Prefix,
			Specs:         credit.Specs(),
			Register:      credit.Register,
			Queries:       credit.Queries,
			InitGenesis:   credit.InitGenesis,
			ExportGenesis: credit.ExportGenesis,
			Invariant:     credit.Invariants,
			Gauges:        credit.Gauges,
		},
		{
			Name:          "market",
			Prefix:        market.Prefix,
			Specs:         market.Specs(),
			Register:      market.Register,
			Queries:       market.Queries,
			InitGenesis:   market.InitGenesis,
			ExportGenesis: market.ExportGenesis,
			EndBlock:      market.EndBlock,
			Invariant:     market.Invariants,
			Gauges:        market.Gauges,
		},
		{
			// After the market: a window's close sees the leases the
			// market's sweep closed in this block.
			Name:          "storage",
			Prefix:        storage.Prefix,
			Specs:         storage.Specs(),
			CheckParams:   storage.CheckParams,
			Register:      storage.Register,
			Queries:       storage.Queries,
			InitGenesis:   storage.InitGenesis,
			ExportGenesis: storage.ExportGenesis,
			EndBlock:      storage.EndBlock,
			Invariant:     storage.Invariants,
		},
		stakeModule(),
		govModule(),
		{
			Name:          energy.ModuleName,
			Prefix:        energy.Prefix,
			Specs:         energy.Specs(),
			Register:      energy.Register,
			Queries:       energy.Queries,
			InitGenesis:   energy.InitGenesis,
			ExportGenesis: energy.ExportGenesis,
			EndBlock:      energy.EndBlock,
			Invariant:     energy.Invariants,
		},
		{
			Name:          "compute",
			Prefix:        compute.Prefix,
			Specs:         compute.Specs(),
			Register:      compute.Register,
			Queries:       compute.Queries,
			InitGenesis:   compute.InitGenesis,
			ExportGenesis: compute.ExportGenesis,
			EndBlock:      compute.EndBlock,
			Invariant:     compute.Invariants,
		},
		{
			Name:          dataaccess.ModuleName,
			Prefix:        dataaccess.Prefix,
			Specs:         dataaccess.Specs(),
			Register:      dataaccess.Register,
			Queries:       dataaccess.Queries,
			InitGenesis:   dataaccess.InitGenesis,
			ExportGenesis: dataaccess.ExportGenesis,
			EndBlock:      dataaccess.EndBlock,
			Invariant:     dataaccess.Invariants,
		},
		{
			Name:          "relay",
			Prefix:        relay.Prefix,
			Specs:         relay.Specs(),
			Register:      relay.Register,
			Queries:       relay.Queries,
			InitGenesis:   relay.InitGenesis,
			ExportGenesis: relay.ExportGenesis,
			EndBlock:      relay.EndBlock,
			Invariant:     relay.Invariants,
		},
	}, kinds)
}

func epochGenesis(st ledger.Store, raw json.RawMessage) error {
	if raw != nil {
		return fmt.Errorf("the epoch module takes no genesis section")
	}
	epoch.InitGenesis(st)
	return nil
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

func deviceGenesis(st ledger.Store, kinds *kind.Registry, raw json.RawMessage) error {
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
		for _, k := range m.Kinds {
			if !kinds.Has(k) {
				return fmt.Errorf("maker %q: unknown kind %q", m.Name, k)
			}
		}
		makers[i] = device.GenesisMaker{Name: m.Name, PubKey: pub, Kinds: m.Kinds, OnboardFee: m.OnboardFee}
	}
	return device.InitGenesis(st, kinds, makers, nil)
}

// rewardPayers lists the module paying each forwarded reward recipient
// (a test holds it complete).
func rewardPayers() reward.Payers {
	return reward.Payers{reward.RecipientUsage: market.PayUsagePool,
		reward.RecipientValidators: payValidators, reward.RecipientCompute: compute.PayPool,
		reward.RecipientRelay: relay.PayPool, reward.RecipientStorage: storage.PayPool,
		reward.RecipientEnergy: energy.PayPool}
}
