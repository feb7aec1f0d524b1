package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/kind/mobile"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sim/sensorsim"
)

// Reward pools carved for the sensor and mobile kinds on a devnet.
const (
	devSensorBps = 1_000
	devMobileBps = 1_000
)

// sensorFleet simulates weather stations and vehicles around Berlin.
var sensorFleet = devnetFleet{
	name:    "sensor",
	help:    "weather stations and vehicles around Berlin with a heater, a replayer, a copier, a cluster and a spoofed GNSS track",
	genesis: func(kr *keyring.Keyring, g *app.Genesis) error { return simFleetGenesis(kr, g, "sensor") },
	start:   func(ctx context.Context, env fleetEnv) (func(), error) { return startSimFleet(ctx, env, "sensor") },
}

// mobileFleet simulates Wi-Fi radios with heartbeats and speedtests.
var mobileFleet = devnetFleet{
	name:    "mobile",
	help:    "Wi-Fi radios with hourly-style heartbeats and speedtests, one of them a speedtest faker",
	genesis: func(kr *keyring.Keyring, g *app.Genesis) error { return simFleetGenesis(kr, g, "mobile") },
	start:   func(ctx context.Context, env fleetEnv) (func(), error) { return startSimFleet(ctx, env, "mobile") },
}

func simOwnerKey(kind string) string { return kind + "-owner" }

// simFleetGenesis adds the fleet's owner key and balance, params scaled to
// the devnet's minute-long epochs (a reading every 2 s) and the kind's pool.
func simFleetGenesis(kr *keyring.Keyring, g *app.Genesis, k string) error {
	info, err := kr.AddFromSeed(simOwnerKey(k), devSeed(simOwnerKey(k)))
	if err != nil {
		return fmt.Errorf("devnet: key %s: %w", simOwnerKey(k), err)
	}
	g.Balances = append(g.Balances, app.GenesisBalance{Address: info.Address.String(), Amount: devBalance})
	if g.Params == nil {
		g.Params = map[string]uint64{}
	}
	tick := uint64(sensorsim.DefaultConfig().Tick)
	if k == "sensor" {
		g.Params[sensor.Name+".reading_interval_ns"] = tick
		g.Params[sensor.Name+".slot_ns"] = 2 * tick
		g.Params[sensor.Name+".min_qod"] = 60
		return carveDevnetPool(g, chain.GenesisPool{Name: sensor.Pool, Bps: devSensorBps, Recipient: reward.RecipientDevices.String(), Kind: sensor.Name})
	}
	g.Params[mobile.Name+".slot_ns"] = tick
	g.Params[mobile.Name+".min_heartbeats"] = 10
	return carveDevnetPool(g, chain.GenesisPool{Name: mobile.Pool, Bps: devMobileBps, Recipient: reward.RecipientDevices.String(), Kind: mobile.Name})
}

// newSensorSim builds the simulation of one kind from the devnet keyring.
func newSensorSim(env fleetEnv, k string) (*sensorsim.Sim, error) {
	kr, err := keyring.Open(keyring.Dir(env.home), keyring.BackendTest, nil)
	if err != nil {
		return nil, err
	}
	cfg := sensorsim.DefaultConfig()
	cfg.Sensor, cfg.Mobile = k == "sensor", k == "mobile"
	var keys sensorsim.Keys
	if keys.Maker, err = kr.PrivateKey(devMaker); err != nil {
		return nil, fmt.Errorf("%s: maker key: %w", k, err)
	}
	if keys.Owner, err = kr.PrivateKey(simOwnerKey(k)); err != nil {
		return nil, fmt.Errorf("%s: this devnet was made without the %s fleet (start a new one with --fleet ...,%s): %w", k, k, k, err)
	}
	keys.DeviceSeed = func(name string) []byte { return devSeed(k + "-device-" + name) }
	cfg.NodeURL = env.node.RPCURL()
	cfg.IngestURL = "http://" + env.node.AppCfg.Ingest.Service.ListenAddr
	cfg.Fee = params.Get(env.node.App.Committed(), bank.MinFee)
	cfg.Dir = filepath.Join(env.home, k+"-sim")
	return sensorsim.New(cfg, keys, env.logger.With("fleet", k))
}

func startSimFleet(ctx context.Context, env fleetEnv, k string) (func(), error) {
	s, err := newSensorSim(env, k)
	if err != nil {
		return nil, err
	}
	if k == "sensor" {
		fmt.Fprintf(env.out, "sensor: %d stations and vehicles report every %s around Berlin (heater, replayer, copier, a cluster of three, a GNSS spoofer among them); try: depin query rewards epoch --home %s\n",
			len(s.Members()), sensorsim.DefaultConfig().Tick, env.home)
	} else {
		fmt.Fprintf(env.out, "mobile: %d Wi-Fi radios send heartbeats and speedtests (one speedtest faker); bytes carried are paid from market receipts of kind mobile\n", len(s.Members()))
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil && ctx.Err() == nil {
			env.logger.Error(k+" simulation stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }, nil
}
