package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/sim/marketsim"
)

// The devnet's simulated market participants: their keys are in the
// devnet's test keyring, funded at genesis.
var (
	devProviders = []string{"provider0", "provider1", "provider2"}
	devConsumers = []string{"consumer0", "consumer1", "consumer2"}
)

const (
	devPayPerUse = "payperuse"
	// devUsageBps is the usage pool the devnet carves out of the first
	// device pool of reward.DefaultPools.
	devUsageBps = 2_000
)

// marketFleet simulates the open market: providers bid, consumers lease
// (consumer0 lets its lease run dry), a pay-per-use consumer's receipts
// feed the usage pool.
var marketFleet = devnetFleet{
	name:    "market",
	help:    "providers and consumers of the open market, with a usage pool",
	flags:   addMarketFlags,
	genesis: marketGenesis,
	start: func(ctx context.Context, env fleetEnv) (func(), error) {
		fmt.Fprintf(env.out, "market: simulated providers and consumers; consumer0's lease runs dry and the sweep closes it; try: depin query market leases --home %s\n", env.home)
		return startMarket(ctx, env.cmd, env.node, env.home, env.logger)
	},
}

func addMarketFlags(c *cobra.Command) {
	f := c.Flags()
	f.Uint64("market-dry-blocks", marketsim.DefaultConfig().DryBlocks, "about how many blocks consumer0's deposit lasts before the sweep closes its lease")
	f.Duration("market-interval", marketsim.DefaultConfig().Interval, "time between two rounds of the market simulation")
}

// marketGenesis adds the market participants' keys and balances and a
// usage pool to a devnet genesis.
func marketGenesis(kr *keyring.Keyring, g *app.Genesis) error {
	for _, name := range append(append(append([]string(nil), devProviders...), devConsumers...), devPayPerUse) {
		info, err := kr.AddFromSeed(name, devSeed(name))
		if err != nil {
			return fmt.Errorf("devnet: key %s: %w", name, err)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: info.Address.String(), Amount: devBalance})
	}
	return carveDevnetPool(g, chain.GenesisPool{Name: "usage", Bps: devUsageBps, Recipient: reward.RecipientUsage.String()})
}

// newMarketSim builds the market simulation of a devnet node from the
// keys in its keyring; nil if the devnet was initialised without them.
// tune, if not nil, adjusts the config last.
func newMarketSim(n *node.Node, home string, logger *slog.Logger, tune func(*marketsim.Config)) (*marketsim.Sim, error) {
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		return nil, err
	}
	var keys marketsim.Keys
	load := func(name string) (sig.PrivateKey, bool) {
		k, err := kr.PrivateKey(name)
		return k, err == nil
	}
	for _, name := range devProviders {
		if k, ok := load(name); ok {
			keys.Providers = append(keys.Providers, k)
		}
	}
	for _, name := range devConsumers {
		if k, ok := load(name); ok {
			keys.Consumers = append(keys.Consumers, k)
		}
	}
	keys.PayPerUse, _ = load(devPayPerUse)
	if len(keys.Providers) == 0 || len(keys.Consumers) == 0 {
		return nil, nil
	}
	cfg := marketsim.DefaultConfig()
	cfg.NodeURL = n.RPCURL()
	cfg.Fee = params.Get(n.App.Committed(), bank.MinFee)
	if tune != nil {
		tune(&cfg)
	}
	return marketsim.New(cfg, keys, logger)
}

// startMarket starts the market simulation beside a devnet node, if its
// keys are in the keyring (a devnet initialised with the market fleet). stop ends
// it and waits for it.
func startMarket(ctx context.Context, cmd *cobra.Command, n *node.Node, home string, logger *slog.Logger) (stop func(), err error) {
	s, err := newMarketSim(n, home, logger, func(c *marketsim.Config) {
		c.DryBlocks, _ = cmd.Flags().GetUint64("market-dry-blocks")
		if iv, _ := cmd.Flags().GetDuration("market-interval"); iv > 0 {
			c.Interval = iv
		}
	})
	if err != nil {
		return nil, err
	}
	if s == nil {
		logger.Warn("market simulation off: this devnet was initialised without its keys (--fleet market on first run)")
		return func() {}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			logger.Error("market simulation stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}, nil
}
