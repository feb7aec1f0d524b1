package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/sim"
)

// newFleet builds the devnet's simulated fleet over a node: devices
// onboarded by the dev maker and owned in turn by dev0..dev9 from the
// home's test keyring, reporting to the node's ingest and claiming from
// its oracle, with the scorer's beacon interval read from the chain. tune,
// if not nil, adjusts the config last (tests shorten the schedules).
func newFleet(n *node.Node, home string, devices int, adversaries float64, logger *slog.Logger, tune func(*sim.Config)) (*sim.Fleet, error) {
	if !n.AppCfg.Ingest.Enable {
		return nil, errors.New("fleet: ingest is disabled in app.toml")
	}
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		return nil, fmt.Errorf("fleet: keyring: %w", err)
	}
	keys := sim.Keys{}
	if keys.Maker, err = kr.PrivateKey(devMaker); err != nil {
		return nil, fmt.Errorf("fleet: maker key: %w", err)
	}
	for i := range devAccounts {
		k, err := kr.PrivateKey(fmt.Sprintf("dev%d", i))
		if err != nil {
			return nil, fmt.Errorf("fleet: owner key: %w", err)
		}
		keys.Owners = append(keys.Owners, sig.PrivateKey(k))
	}
	cfg := sim.DefaultConfig()
	cfg.Devices, cfg.AdversaryFraction = devices, adversaries
	cfg.NodeURL = n.RPCURL()
	cfg.IngestURL = "http://" + n.AppCfg.Ingest.Service.ListenAddr
	if n.AppCfg.Oracle.Enable {
		cfg.OracleURL = "http://" + n.AppCfg.Oracle.Service.ListenAddr
	}
	cfg.StateDir = filepath.Join(home, "data", "fleet")
	st := n.App.Committed()
	cfg.Fee = params.Get(st, bank.MinFee)
	cfg.BeaconInterval = time.Duration(kind.ParamsOf(st, coverage.Kind{}).Must(coverage.Name + ".beacon_interval_ns"))
	if tune != nil {
		tune(&cfg)
	}
	f, err := sim.New(cfg, keys, logger.With("module", "fleet"))
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	return f, nil
}

// coverageFleet simulates coverage hotspots around Berlin, honest and
// adversarial.
var coverageFleet = devnetFleet{
	name: "coverage",
	help: "coverage hotspots around Berlin, some of them cheating",
	flags: func(c *cobra.Command) {
		c.Flags().Int("devices", 200, "simulated coverage devices in the coverage fleet (0: none)")
		c.Flags().Float64("adversaries", 0.1, "fraction of the coverage fleet that cheats: location spoofers, witness forgers, replayers and a colluding clique")
	},
	start: func(ctx context.Context, env fleetEnv) (func(), error) {
		devices, _ := env.cmd.Flags().GetInt("devices")
		adversaries, _ := env.cmd.Flags().GetFloat64("adversaries")
		if adversaries < 0 || adversaries > 1 {
			return nil, fmt.Errorf("--adversaries %v must be between 0 and 1", adversaries)
		}
		if devices <= 0 {
			return func() {}, nil
		}
		fmt.Fprintf(env.out, "fleet: %d simulated devices around Berlin, %.0f%% adversaries; rewards settle every epoch (about a minute)\n", devices, adversaries*100)
		return startFleet(ctx, env.node, env.home, devices, adversaries, env.logger)
	},
}

// startFleet starts the simulated fleet beside a devnet node. It may be
// called before or after the node starts: the fleet waits for the node's
// RPC and ingest before onboarding. A fleet failure is logged, it does not
// stop the node. stop ends the fleet and waits for it.
func startFleet(ctx context.Context, n *node.Node, home string, devices int, adversaries float64, logger *slog.Logger) (stop func(), err error) {
	if devices <= 0 {
		return func() {}, nil
	}
	f, err := newFleet(n, home, devices, adversaries, logger, nil)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f.Run(ctx); err != nil {
			logger.Error("fleet stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}, nil
}
