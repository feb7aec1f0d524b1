package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/node"
)

// newTestnetCmds builds the commands of this file; the root command adds them.
func newTestnetCmds() []*cobra.Command {
	c := &cobra.Command{
		Use:   "testnet",
		Short: "Write homes for an N-validator network on loopback",
		Long: `testnet writes DIR/node0 … DIR/node{N-1}, each a validator home with its own keys and
ports (validator k: P2P base+10k, RPC base+10k+1, API base+10k+2), persistent peers, one shared
genesis, and p2p settings tuned for loopback. Funded accounts acc0 … acc{K-1} go into a test
keyring in DIR (acc0 is the params authority). Start each node with depin start --home DIR/nodeK.`,
		Args: cobra.NoArgs,
		RunE: runTestnet,
	}
	c.Flags().Int("validators", 4, "number of validators")
	c.Flags().String("out", "./testnet", "output directory")
	c.Flags().String("chain-id", "depin-testnet", "chain id")
	c.Flags().Int("base-port", 26600, "first port")
	c.Flags().Int("accounts", 10, "funded accounts acc0..accK-1 in DIR's test keyring")
	c.Flags().Duration("block-time", 200*time.Millisecond, "target time between blocks (timeout_commit)")
	c.Flags().Bool("staking", false, "make the validators staking genesis validators operated by acc0..acc{N-1} (10,000 PIN self-bond each), so that stake drives the validator set")
	c.Flags().Bool("gov", false, "make the governance module the params authority (with --staking)")
	c.Flags().Bool("services", false, "also register a dev maker, an ingest operator and an oracle, and run ingest (port base+3) and the oracle (base+4) on node0")
	return []*cobra.Command{c}
}

func runTestnet(cmd *cobra.Command, _ []string) error {
	n, _ := cmd.Flags().GetInt("validators")
	out, _ := cmd.Flags().GetString("out")
	chainID, _ := cmd.Flags().GetString("chain-id")
	base, _ := cmd.Flags().GetInt("base-port")
	accounts, _ := cmd.Flags().GetInt("accounts")
	blockTime, _ := cmd.Flags().GetDuration("block-time")
	if accounts < 1 {
		return fmt.Errorf("testnet: --accounts must be at least 1 (acc0 is the params authority)")
	}
	kr, err := keyring.Open(keyring.Dir(out), keyring.BackendTest, nil)
	if err != nil {
		return err
	}
	g := app.Genesis{Denom: "upin", Decimals: 6}
	for i := 0; i < accounts; i++ {
		name := fmt.Sprintf("acc%d", i)
		info, err := kr.Add(name)
		if err != nil {
			return fmt.Errorf("testnet: key %s: %w", name, err)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: info.Address.String(), Amount: devBalance})
	}
	g.Authority = g.Balances[0].Address
	opts := node.TestnetOptions{ChainID: chainID, Validators: n, BasePort: base, BlockTime: blockTime, Genesis: g}
	if staking, _ := cmd.Flags().GetBool("staking"); staking {
		if accounts < n {
			return fmt.Errorf("testnet: --staking needs --accounts of at least --validators (acc k operates validator k)")
		}
		opts.Stake = devStakeOptions(g.Balances[:n])
	}
	if useGov, _ := cmd.Flags().GetBool("gov"); useGov {
		if opts.Stake == nil {
			return fmt.Errorf("testnet: --gov needs --staking: votes are weighed by bonded stake")
		}
		opts.Genesis.Modules = withGovAuthority(opts.Genesis.Modules)
	}
	if opts.Stake != nil {
		opts.Genesis.Params = devGovParams(opts.Genesis.Params)
	}
	if services, _ := cmd.Flags().GetBool("services"); services {
		if err := addTestnetServices(out, base, &opts); err != nil {
			return err
		}
	}
	nodes, err := node.InitTestnet(out, opts)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %d validator homes for chain %s in %s; accounts in %s (keyring-backend test)\n", n, chainID, out, filepath.Join(out, "keyring"))
	for _, nd := range nodes {
		fmt.Fprintf(w, "  depin start --home %s    # RPC http://%s  API http://%s  P2P %s\n", nd.Home, nd.RPC, nd.API, nd.P2P)
	}
	if opts.App != nil {
		fmt.Fprintf(w, "node0 also runs ingest on http://127.0.0.1:%d and the oracle on http://127.0.0.1:%d; the maker key %s is in %s\n",
			base+3, base+4, devMaker, filepath.Join(out, "keyring"))
	}
	return nil
}

// addTestnetServices registers a maker (key devmaker in DIR's keyring), an
// ingest operator and an oracle (keys in node0's keyring, funded for fees)
// in genesis, and runs ingest and the oracle on node0.
func addTestnetServices(out string, base int, o *node.TestnetOptions) error {
	kr, err := keyring.Open(keyring.Dir(out), keyring.BackendTest, nil)
	if err != nil {
		return err
	}
	maker, err := kr.Add(devMaker)
	if err != nil {
		return fmt.Errorf("testnet: key %s: %w", devMaker, err)
	}
	kr0, err := keyring.Open(keyring.Dir(filepath.Join(out, "node0")), keyring.BackendTest, nil)
	if err != nil {
		return err
	}
	ing, err := kr0.Add(devIngest)
	if err != nil {
		return fmt.Errorf("testnet: key %s: %w", devIngest, err)
	}
	orc, err := kr0.Add(devOracle)
	if err != nil {
		return fmt.Errorf("testnet: key %s: %w", devOracle, err)
	}
	modules, err := serviceGenesis(maker, ing, orc)
	if err != nil {
		return err
	}
	for k, v := range o.Genesis.Modules {
		modules[k] = v
	}
	o.Genesis.Modules = modules
	for _, a := range []keyring.Info{ing, orc} {
		o.Genesis.Balances = append(o.Genesis.Balances, app.GenesisBalance{Address: a.Address.String(), Amount: devBalance})
	}
	o.App = func(k int, c *node.AppConfig) {
		if k != 0 {
			return
		}
		c.Ingest.Enable, c.Ingest.OperatorKey, c.Ingest.KeyringBackend = true, devIngest, keyring.BackendTest
		c.Ingest.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", base+3)
		c.Oracle.Enable, c.Oracle.Key, c.Oracle.KeyringBackend = true, devOracle, keyring.BackendTest
		c.Oracle.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", base+4)
	}
	return nil
}
