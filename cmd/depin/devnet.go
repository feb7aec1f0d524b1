package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/node"
)

// Devnet defaults: ten funded dev accounts and a dev maker, all in a test
// (unencrypted) keyring in the devnet home, and short blocks.
const (
	devnetChainID   = "depin-devnet"
	devAccounts     = 10
	devBalance      = 1_000_000_000_000 // 1,000,000 PIN each
	devMaker        = "devmaker"
	devIngest       = "ingest"
	devOracle       = "oracle"
	devnetBlockTime = 200 * time.Millisecond
	devnetMetrics   = "127.0.0.1:26660" // CometBFT's Prometheus listener
)

// newDevnetCmds builds the commands of this file; the root command adds them.
func newDevnetCmds() []*cobra.Command {
	c := &cobra.Command{
		Use:   "devnet",
		Short: "Run a complete one-validator network on this machine",
		Long: `devnet initialises a one-validator network on first run (short blocks, ten funded
dev accounts dev0..dev9 and a dev maker in a test keyring in the devnet home), then starts it
and prints its URLs. A later run resumes where the last one stopped. Ctrl-C stops it cleanly.

The default home is ~/.depin/devnet; dev keys are deterministic and public: never use them
on a real network.`,
		Args: cobra.NoArgs,
		RunE: runDevnet,
	}
	addListenFlags(c)
	addFleetFlags(c)
	c.Flags().String("home", filepath.Join(defaultHome(), "devnet"), "devnet home directory")
	c.Flags().Bool("init-only", false, "initialise the devnet home and exit without starting it")
	c.Flags().Bool("write-client-config", true, "point the client config (depin config) at this devnet, so that other commands need no --home, --node or --keyring-backend")
	c.Flags().Bool("staking", true, "on first run, make the validator a staking validator operated by dev9 with 10,000 PIN bonded, so that delegations, rewards and slashing work")
	c.Flags().Bool("gov", false, "on first run, make the governance module the params authority: parameters, oracles and ingest operators then change by proposal (a proposal passes in about a minute)")
	return []*cobra.Command{c}
}

// devSeed derives a dev key's seed from its name.
func devSeed(name string) []byte {
	s := sha256.Sum256([]byte("depin-devnet/" + name))
	return s[:]
}

func runDevnet(cmd *cobra.Command, _ []string) error {
	home := homeDir(cmd)
	out := cmd.OutOrStdout()
	var fleets []devnetFleet
	if !node.Initialized(home) {
		var o devnetOptions
		o.staking, _ = cmd.Flags().GetBool("staking")
		o.gov, _ = cmd.Flags().GetBool("gov")
		o.fleets, _ = cmd.Flags().GetStringSlice("fleet")
		if o.gov && !o.staking {
			return fmt.Errorf("devnet: --gov needs --staking: votes are weighed by bonded stake")
		}
		if err := initDevnetWith(home, out, o); err != nil {
			return err
		}
		fs, err := lookupFleets(o.fleets)
		if err != nil {
			return err
		}
		fleets = fs
	} else {
		fs, err := resumeFleets(cmd, home)
		if err != nil {
			return err
		}
		fleets = fs
		fmt.Fprintf(out, "resuming devnet in %s\n", home)
	}
	if initOnly, _ := cmd.Flags().GetBool("init-only"); initOnly {
		fmt.Fprintf(out, "start it with: depin devnet --home %s\n", home)
		return nil
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// CometBFT's own metrics, on loopback (docs/clients.md). Only the
	// devnet command turns them on: CometBFT registers them globally, once
	// per process.
	if !cmd.Flags().Changed("metrics.laddr") {
		if err := cmd.Flags().Set("metrics.laddr", devnetMetrics); err != nil {
			return err
		}
	}
	n, err := openNode(cmd)
	if err != nil {
		return err
	}
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		return err
	}
	keys, err := kr.List()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "devnet %s\n  home:   %s\n  RPC:    %s\n  API:    %s\n", n.App.ChainID(), home, n.RPCURL(), n.APIURL())
	if n.AppCfg.Ingest.Enable {
		fmt.Fprintf(out, "  ingest: http://%s\n", n.AppCfg.Ingest.Service.ListenAddr)
	}
	if n.AppCfg.Oracle.Enable {
		fmt.Fprintf(out, "  oracle: http://%s\n", n.AppCfg.Oracle.Service.ListenAddr)
	}
	if n.Comet.Instrumentation.Prometheus {
		fmt.Fprintf(out, "  CometBFT metrics: http://%s/metrics\n", n.Comet.Instrumentation.PrometheusListenAddr)
	}
	if n.AppCfg.Indexer.Enable && n.AppCfg.Explorer.Enable {
		fmt.Fprintf(out, "  explorer: http://%s  (open it in a browser: map, devices and their rewards with reasons)\n", n.AppCfg.Explorer.Listen)
	}
	if n.AppCfg.Ingest.Enable && n.AppCfg.Data.Enable {
		fmt.Fprintf(out, "  data:   http://%s  (sensor readings for grantees: depin data read)\n", n.AppCfg.Data.Service.Addr)
	}
	fmt.Fprintf(out, "  keys (keyring-backend test):\n")
	for _, k := range keys {
		fmt.Fprintf(out, "    %-9s %s\n", k.Name, k.Address)
	}
	if err := devnetClientConfig(cmd, n, home); err != nil {
		fmt.Fprintf(out, "try: depin query bank balance dev1 --home %s --keyring-backend test\n", home)
	} else {
		fmt.Fprintf(out, "client config %s now points at this devnet; try: depin query bank balance dev1\n", clientConfigPath())
	}
	env := fleetEnv{cmd: cmd, node: n, home: home, out: out}
	for _, f := range fleets {
		env.logger = n.Log().With("fleet", f.name)
		stop, err := f.start(ctx, env)
		if err != nil {
			return fmt.Errorf("devnet: fleet %s: %w", f.name, err)
		}
		defer stop()
	}
	return n.Run(ctx)
}

// devnetOptions are the first-run choices of depin devnet.
type devnetOptions struct {
	// staking makes the validator a staking validator operated by dev9.
	staking bool
	// gov makes the governance module the params authority.
	gov bool
	// fleets are the simulated fleets whose genesis (keys, balances,
	// pools) the devnet gets; depin devnet runs them.
	fleets []string
}

// initDevnet initialises a devnet with a fixed validator and an authority
// key (the fault tests' network).
func initDevnet(home string, out io.Writer) error { return initDevnetWith(home, out, devnetOptions{}) }

// initDevnetWith initialises a devnet.
func initDevnetWith(home string, out io.Writer, o devnetOptions) error {
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		return err
	}
	g := app.Genesis{Denom: "upin", Decimals: 6, Params: map[string]uint64{
		// About a minute per epoch at 200 ms blocks, and one beacon per
		// device per minute, so that rewards show up quickly.
		"epoch.blocks":                300,
		"reward.segment_grace_blocks": 25,
		"coverage.beacon_interval_ns": uint64(time.Minute),
	}}
	for i := 0; i < devAccounts; i++ {
		name := fmt.Sprintf("dev%d", i)
		info, err := kr.AddFromSeed(name, devSeed(name))
		if err != nil {
			return fmt.Errorf("devnet: key %s: %w", name, err)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: info.Address.String(), Amount: devBalance})
	}
	g.Authority = g.Balances[0].Address
	maker, err := kr.AddFromSeed(devMaker, devSeed(devMaker))
	if err != nil {
		return fmt.Errorf("devnet: key %s: %w", devMaker, err)
	}
	ingestKey, err := kr.AddFromSeed(devIngest, devSeed(devIngest))
	if err != nil {
		return fmt.Errorf("devnet: key %s: %w", devIngest, err)
	}
	oracleKey, err := kr.AddFromSeed(devOracle, devSeed(devOracle))
	if err != nil {
		return fmt.Errorf("devnet: key %s: %w", devOracle, err)
	}
	if g.Modules, err = serviceGenesis(maker, ingestKey, oracleKey); err != nil {
		return err
	}
	fleets, err := lookupFleets(o.fleets)
	if err != nil {
		return err
	}
	for _, f := range fleets {
		if f.genesis == nil {
			continue
		}
		if err := f.genesis(kr, &g); err != nil {
			return fmt.Errorf("devnet: fleet %s: %w", f.name, err)
		}
	}
	// The ingest operator and the oracle pay fees for their transactions.
	for _, a := range []string{ingestKey.Address.String(), oracleKey.Address.String()} {
		g.Balances = append(g.Balances, app.GenesisBalance{Address: a, Amount: devBalance})
	}
	var stakeOpts *node.StakeOptions
	if o.staking {
		g.Params = devGovParams(g.Params)
		stakeOpts = devStakeOptions(g.Balances[devAccounts-1 : devAccounts])
	}
	if o.gov {
		g.Modules = withGovAuthority(g.Modules)
	}
	ac := node.DefaultAppConfig()
	ac.Ingest.Enable = true
	ac.Data.Enable = true // readings for grantees: depin data read
	ac.Ingest.OperatorKey = devIngest
	ac.Ingest.KeyringBackend = keyring.BackendTest
	ac.Ingest.Service.SegmentMaxAge = 5 * time.Second
	ac.Ingest.Service.SegmentPublicGrace = 15 * time.Second // minute-long epochs
	ac.Oracle.Enable = true
	ac.Oracle.Key = devOracle
	ac.Oracle.KeyringBackend = keyring.BackendTest
	ac.Indexer.Enable = true
	ac.Explorer.Enable = true
	err = node.Init(home, node.InitOptions{
		ChainID: devnetChainID, Moniker: "devnet", Genesis: g, App: ac, Stake: stakeOpts,
		Comet: func(c *cmtcfg.Config) { c.Consensus.TimeoutCommit = devnetBlockTime },
	})
	if err != nil {
		return err
	}
	if err := writeFleets(home, fleets); err != nil {
		return err
	}
	fmt.Fprintf(out, "initialised devnet in %s\n", home)
	return nil
}

// serviceGenesis is the genesis of a network with a dev maker certifying
// every kind, one ingest operator and one oracle.
func serviceGenesis(maker, ingest, oracle keyring.Info) (map[string]json.RawMessage, error) {
	sections := map[string]any{
		"device": chain.DeviceGenesis{Makers: []chain.GenesisMaker{{
			Name: devMaker, PubKey: hex.EncodeToString(maker.PubKey),
			Kinds: chain.Kinds().Names(), OnboardFee: 1_000_000,
		}}},
		"proof":  chain.ProofGenesis{Operators: []string{ingest.Address.String()}},
		"reward": chain.RewardGenesis{Oracles: []chain.GenesisOracle{{Address: oracle.Address.String(), Weight: 1}}},
	}
	out := make(map[string]json.RawMessage, len(sections))
	for name, v := range sections {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("genesis: %s section: %w", name, err)
		}
		out[name] = b
	}
	return out, nil
}

// devnetClientConfig writes the client config for this devnet (node,
// chain id, test keyring, home), unless --write-client-config=false.
func devnetClientConfig(cmd *cobra.Command, n *node.Node, home string) error {
	if on, _ := cmd.Flags().GetBool("write-client-config"); !on {
		return errors.New("devnet: client config not written")
	}
	c, err := loadClientConfig()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return err
	}
	c["node"], c["chain-id"], c["keyring-backend"], c["home"] = n.RPCURL(), n.App.ChainID(), keyring.BackendTest, abs
	return writeClientConfig(c)
}
