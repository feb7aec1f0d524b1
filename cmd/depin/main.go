// Command depin runs a depin node, its off-chain services and its CLI: one
// binary for validators, operators, device makers and users.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:   "depin",
	Short: "depin: a node and toolkit for decentralized physical infrastructure networks",
	Long: `depin runs a DePIN: a CometBFT ledger with the token and a device registry,
ingest and oracles for proof of physical work, and a CLI for keys, transactions and queries.

Start a whole network on this machine with:  depin devnet`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

func init() {
	pf := rootCmd.PersistentFlags()
	pf.String("home", defaultHome(), "directory for config, keys and data")
	pf.StringP("output", "o", "text", "output format: text or json")
	pf.String("keyring-backend", "file", "keyring backend: file (encrypted) or test (unencrypted, dev only)")
}

func defaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".depin")
	}
	return ".depin"
}

// homeDir returns the --home flag.
func homeDir(cmd *cobra.Command) string {
	h, _ := cmd.Flags().GetString("home")
	return h
}

// outputJSON reports whether --output json was given.
func outputJSON(cmd *cobra.Command) bool {
	o, _ := cmd.Flags().GetString("output")
	return o == "json"
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
