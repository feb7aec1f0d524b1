package main

import (
	"github.com/spf13/cobra"
)

// The command tree is built by constructors, never by init functions or
// package-level commands, so that every newRootCmd call returns a fresh
// tree: tests run commands without sharing flag state. A command group is
// one line in one of the lists below, defined in its own file.

// rootGroups are the commands under depin.
var rootGroups = []func() []*cobra.Command{
	newNodeCmds, // init, start
	newDevnetCmds,
	newTestnetCmds,
	newIngestCmds,
	newIndexerCmds,
	newAgentCmds,
	newDeviceToolsCmds,
	newKeysCmds,
	newRewardsCmds,
	newBenchCmds,
	newStorageCmds,
	newComputeCmds,
	newRelayCmds,
	newDataCmds,
	one(newSimCmd),
	one(newTxCmd),
	one(newQueryCmd),
	one(configCmd),
	one(statusCmd),
	one(versionCmd),
}

// txGroups are the commands under depin tx.
var txGroups = []func() []*cobra.Command{
	newTxBankCmds,
	newTxDeviceCmds,
	newTxParamsCmds,
	newTxRewardsCmds,
	newTxMarketCmds, // market, credits
	newTxStakeCmds,
	newTxGovCmds,
	newTxEnergyCmds,
	newTxDataCmds,
}

// queryGroups are the commands under depin query, besides bank, device,
// params and tx (query.go).
var queryGroups = []func() []*cobra.Command{
	newQueryRewardsCmds,
	newQueryMarketCmds, // market, credits
	newQueryStakeCmds,  // stake, gov
	newQueryEnergyCmds,
	newQueryComputeCmds, // compute, relay
	newQueryDataCmds,
}

// newRootCmd builds the whole command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "depin",
		Short: "depin: a node and toolkit for decentralized physical infrastructure networks",
		Long: `depin runs a DePIN: a CometBFT ledger with the token and a device registry,
ingest and oracles for proof of physical work, and a CLI for keys, transactions and queries.

Start a whole network on this machine with:  depin devnet`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.String("home", defaultHome(), "directory for config, keys and data")
	pf.StringP("output", "o", "text", "output format: text or json")
	pf.String("keyring-backend", "file", "keyring backend: file (encrypted) or test (unencrypted, dev only)")
	// The client config (depin config) fills flags the user did not give,
	// before any subcommand's own hooks.
	cobra.EnableTraverseRunHooks = true
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return applyClientConfig(cmd) }
	for _, cmds := range rootGroups {
		root.AddCommand(cmds()...)
	}
	return root
}

// one adapts a constructor of a single command to the lists above.
func one(f func() *cobra.Command) func() []*cobra.Command {
	return func() []*cobra.Command { return []*cobra.Command{f()} }
}
