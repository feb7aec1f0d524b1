package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/node"
)

// newNodeCmds builds the commands of this file; the root command adds them.
func newNodeCmds() []*cobra.Command {
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write config, keys and a one-validator genesis into --home",
		Long: `init writes CometBFT's config.toml and depin's app.toml, the node and validator keys
and a genesis with this node as the only validator. Fund accounts with --account ADDRESS=AMOUNT
(repeatable); --authority names the params authority (defaults to the first account).`,
		Args: cobra.NoArgs,
		RunE: runInit,
	}
	initCmd.Flags().String("chain-id", "", "chain id (required)")
	initCmd.Flags().String("moniker", "depin", "node name")
	initCmd.Flags().StringArray("account", nil, "genesis account ADDRESS=AMOUNT in upin (repeatable)")
	initCmd.Flags().String("authority", "", "params authority address (default: first account)")
	initCmd.Flags().Duration("block-time", time.Second, "target time between blocks (CometBFT timeout_commit)")
	_ = initCmd.MarkFlagRequired("chain-id")

	startCmd := &cobra.Command{
		Use:   "start",
		Short: "Run a node from --home: consensus, the state machine, RPC and the JSON API",
		Args:  cobra.NoArgs,
		RunE:  runStart,
	}
	addListenFlags(startCmd)
	return []*cobra.Command{initCmd, startCmd}
}

func addListenFlags(c *cobra.Command) {
	c.Flags().String("rpc.laddr", "", "CometBFT RPC listen address (default from config, tcp://127.0.0.1:26657)")
	c.Flags().String("p2p.laddr", "", "P2P listen address (default from config, tcp://0.0.0.0:26656)")
	c.Flags().String("api.laddr", "", "JSON API listen address (default from app.toml, 127.0.0.1:1317)")
	c.Flags().String("ingest.laddr", "", "ingest listen address, when ingest runs (default from app.toml, 127.0.0.1:9090)")
	c.Flags().String("oracle.laddr", "", "oracle API listen address, when the oracle runs (default from app.toml, 127.0.0.1:26680)")
	c.Flags().String("explorer.laddr", "", "web explorer listen address, when the indexer runs (default from app.toml, 127.0.0.1:26690)")
	c.Flags().String("data.laddr", "", "data service listen address, when it runs (default from app.toml, 127.0.0.1:26695)")
	c.Flags().String("metrics.laddr", "", "CometBFT's Prometheus metrics listen address; turns them on (default from config.toml)")
}

func listenOverrides(c *cobra.Command) node.Overrides {
	rpc, _ := c.Flags().GetString("rpc.laddr")
	p2p, _ := c.Flags().GetString("p2p.laddr")
	api, _ := c.Flags().GetString("api.laddr")
	ingest, _ := c.Flags().GetString("ingest.laddr")
	oracle, _ := c.Flags().GetString("oracle.laddr")
	metrics, _ := c.Flags().GetString("metrics.laddr")
	explorer, _ := c.Flags().GetString("explorer.laddr")
	data, _ := c.Flags().GetString("data.laddr")
	return node.Overrides{RPCListen: rpc, P2PListen: p2p, APIListen: api, IngestListen: ingest, OracleListen: oracle, MetricsListen: metrics, ExplorerListen: explorer, DataListen: data}
}

func runInit(cmd *cobra.Command, _ []string) error {
	home := homeDir(cmd)
	chainID, _ := cmd.Flags().GetString("chain-id")
	moniker, _ := cmd.Flags().GetString("moniker")
	accounts, _ := cmd.Flags().GetStringArray("account")
	authority, _ := cmd.Flags().GetString("authority")
	blockTime, _ := cmd.Flags().GetDuration("block-time")
	g := app.Genesis{Denom: "upin", Decimals: 6, Authority: authority}
	for _, a := range accounts {
		addr, amt, ok := strings.Cut(a, "=")
		amount, err := strconv.ParseUint(amt, 10, 64)
		if !ok || err != nil {
			return fmt.Errorf("--account %q: want ADDRESS=AMOUNT with AMOUNT an integer in upin", a)
		}
		if _, err := ledger.ParseAddress(addr); err != nil {
			return fmt.Errorf("--account %q: %w", a, err)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: addr, Amount: amount})
	}
	if g.Authority == "" {
		if len(g.Balances) == 0 {
			return fmt.Errorf("init: give --authority or at least one --account")
		}
		g.Authority = g.Balances[0].Address
	}
	err := node.Init(home, node.InitOptions{
		ChainID: chainID, Moniker: moniker, Genesis: g, App: node.DefaultAppConfig(),
		Comet: func(c *cmtcfg.Config) { c.Consensus.TimeoutCommit = blockTime },
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "initialised %s for chain %s\n", home, chainID)
	return nil
}

func runStart(cmd *cobra.Command, _ []string) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := openNode(cmd)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "node %s on chain %s\n  RPC: %s\n  API: %s\n", n.Comet.Moniker, n.App.ChainID(), n.RPCURL(), n.APIURL())
	return n.Run(ctx)
}

// openNode opens the node in --home with flag overrides and its services.
func openNode(cmd *cobra.Command) (*node.Node, error) {
	home := homeDir(cmd)
	ac, err := node.LoadAppConfig(home)
	if err != nil && node.Initialized(home) {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: node.ParseLevel(ac.Log.Level)}))
	n, err := node.Open(home, listenOverrides(cmd), logger)
	if err != nil {
		return nil, err
	}
	if err := addServices(n, logger); err != nil {
		return nil, err
	}
	return n, nil
}
