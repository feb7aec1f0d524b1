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

func init() {
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
	rootCmd.AddCommand(c)
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
	nodes, err := node.InitTestnet(out, node.TestnetOptions{ChainID: chainID, Validators: n, BasePort: base, BlockTime: blockTime, Genesis: g})
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %d validator homes for chain %s in %s; accounts in %s (keyring-backend test)\n", n, chainID, out, filepath.Join(out, "keyring"))
	for _, nd := range nodes {
		fmt.Fprintf(w, "  depin start --home %s    # RPC http://%s  API http://%s  P2P %s\n", nd.Home, nd.RPC, nd.API, nd.P2P)
	}
	return nil
}
