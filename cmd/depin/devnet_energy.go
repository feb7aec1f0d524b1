package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/keyring"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/sim/energysim"
)

// The devnet's energy neighbourhood: one zone in Berlin (Prenzlauer Berg).
const (
	devEnergyLatE7 = 525_400_000
	devEnergyLngE7 = 134_150_000
	// devEnergyInterval is the devnet's interval: 30 s, so a simulated
	// day (96 intervals of 15 simulated minutes) passes in 48 minutes.
	devEnergyInterval = 30
	// Reward pools carved for the energy network: flexible capacity (the
	// kind's scorer) and energy traded (the market's settled payments).
	devEnergyFlexBps   = 1_000
	devEnergyTradedBps = 500
)

// energyFleet simulates households trading energy in one zone.
var energyFleet = devnetFleet{
	name:    "energy",
	help:    "households with solar, batteries and loads trading energy per interval, with three cheating meters",
	genesis: energyGenesis,
	start: func(ctx context.Context, env fleetEnv) (func(), error) {
		s, err := newEnergySim(env)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(env.out, "energy: %d households trade every %d s interval in one Berlin zone (over-reporter, backwards meter and early seller among them); try: depin query energy intervals --home %s\n",
			len(s.Households()), devEnergyInterval, env.home)
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := s.Run(ctx); err != nil && ctx.Err() == nil {
				env.logger.Error("energy simulation stopped", "err", err)
			}
		}()
		return func() {
			cancel()
			<-done
		}, nil
	},
}

func energyOwnerKey(name string) string { return "energy-" + name }

func energyDeviceSeed(name string) []byte { return devSeed("energy-meter-" + name) }

func devEnergyCell() (uint64, error) { return geo.CellFromLatLng(devEnergyLatE7, devEnergyLngE7, 9) }

// energyGenesis adds the households' owner keys and balances, short
// intervals and the energy reward pools to a devnet genesis.
func energyGenesis(kr *keyring.Keyring, g *app.Genesis) error {
	cell, err := devEnergyCell()
	if err != nil {
		return err
	}
	cfg := energysim.DefaultConfig()
	for _, h := range energysim.Plan(cfg.Households, cell, cfg.Seed) {
		info, err := kr.AddFromSeed(energyOwnerKey(h.Name), devSeed(energyOwnerKey(h.Name)))
		if err != nil {
			return fmt.Errorf("devnet: key %s: %w", energyOwnerKey(h.Name), err)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: info.Address.String(), Amount: devBalance})
	}
	if g.Params == nil {
		g.Params = map[string]uint64{}
	}
	g.Params[kenergy.IntervalSeconds.Name] = devEnergyInterval
	g.Params[energy.GateSeconds.Name] = 6
	g.Params[energy.ReadWindow.Name] = 12
	g.Params[energy.CertificateWh.Name] = 100
	if err := carveDevnetPool(g, chain.GenesisPool{Name: kenergy.Pool, Bps: devEnergyFlexBps, Recipient: reward.RecipientDevices.String(), Kind: kenergy.Name}); err != nil {
		return err
	}
	return carveDevnetPool(g, chain.GenesisPool{Name: energy.PoolName, Bps: devEnergyTradedBps, Recipient: reward.RecipientEnergy.String()})
}

// newEnergySim builds the simulation from the keys in the devnet keyring.
func newEnergySim(env fleetEnv) (*energysim.Sim, error) {
	kr, err := keyring.Open(keyring.Dir(env.home), keyring.BackendTest, nil)
	if err != nil {
		return nil, err
	}
	cfg := energysim.DefaultConfig()
	if cfg.Cell, err = devEnergyCell(); err != nil {
		return nil, err
	}
	keys := energysim.Keys{Owners: map[string]sig.PrivateKey{}, DeviceSeed: energyDeviceSeed}
	if keys.Maker, err = kr.PrivateKey(devMaker); err != nil {
		return nil, fmt.Errorf("energy: maker key: %w", err)
	}
	for _, h := range energysim.Plan(cfg.Households, cfg.Cell, cfg.Seed) {
		k, err := kr.PrivateKey(energyOwnerKey(h.Name))
		if err != nil {
			return nil, fmt.Errorf("energy: this devnet was made without the energy fleet (start a new one with --fleet ...,energy): %w", err)
		}
		keys.Owners[h.Name] = k
	}
	cfg.NodeURL = env.node.RPCURL()
	if env.node.AppCfg.Ingest.Enable {
		cfg.IngestURL = "http://" + env.node.AppCfg.Ingest.Service.ListenAddr
	}
	cfg.Fee = params.Get(env.node.App.Committed(), bank.MinFee)
	cfg.Dir = filepath.Join(env.home, "energy-sim")
	return energysim.New(cfg, keys, env.logger.With("fleet", "energy"))
}
