// Command depin runs a depin node, its off-chain services and its CLI: one
// binary for validators, operators, device makers and users.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

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
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
