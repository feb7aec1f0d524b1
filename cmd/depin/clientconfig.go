package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"
)

// envClientConfig names another client config file (tests, several users
// of one account).
const envClientConfig = "DEPIN_CLIENT_CONFIG"

// clientConfigKeys are the settings of the client config, each the default
// of the flag of the same name when the flag is not given.
var clientConfigKeys = map[string]string{
	"node":            "CometBFT RPC address of the node the CLI talks to",
	"chain-id":        "chain id of the transactions the CLI signs",
	"keyring-backend": "keyring backend: file or test",
	"home":            "directory of config, keys and data",
}

// clientConfigPath is ~/.depin/client.toml, or $DEPIN_CLIENT_CONFIG.
func clientConfigPath() string {
	if p := os.Getenv(envClientConfig); p != "" {
		return p
	}
	return filepath.Join(defaultHome(), "client.toml")
}

// loadClientConfig reads the client config; a missing file is empty.
func loadClientConfig() (map[string]string, error) {
	c := map[string]string{}
	_, err := toml.DecodeFile(clientConfigPath(), &c)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("client config %s: %w (fix or delete the file)", clientConfigPath(), err)
	}
	for k := range c {
		if _, ok := clientConfigKeys[k]; !ok {
			return nil, fmt.Errorf("client config %s: unknown setting %q (known: %s)", clientConfigPath(), k, strings.Join(clientConfigNames(), ", "))
		}
	}
	return c, nil
}

func writeClientConfig(c map[string]string) error {
	path := clientConfigPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	var b strings.Builder
	b.WriteString("# depin client settings: defaults of the flags of the same name (depin config set KEY VALUE).\n")
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	return nil
}

func clientConfigNames() []string {
	out := make([]string, 0, len(clientConfigKeys))
	for k := range clientConfigKeys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// applyClientConfig sets every flag of cmd named in the client config that
// was not given on the command line. "home" applies only to the global
// --home (depin devnet has its own), and not to depin init.
func applyClientConfig(cmd *cobra.Command) error {
	if cmd.Name() == "config" || (cmd.Parent() != nil && cmd.Parent().Name() == "config") {
		return nil
	}
	c, err := loadClientConfig()
	if err != nil {
		return err
	}
	for k, v := range c {
		f := cmd.Flags().Lookup(k)
		if f == nil || f.Changed {
			continue
		}
		// depin init makes a new home: never the configured one.
		if k == "home" && (f != cmd.Root().PersistentFlags().Lookup("home") || cmd.Name() == "init" && cmd.Parent() == cmd.Root()) {
			continue
		}
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("client config %s: %s = %q: %w", clientConfigPath(), k, v, err)
		}
	}
	return nil
}

func configCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Show or change the client settings (node, chain-id, keyring-backend, home)",
		Long: `The client config (~/.depin/client.toml, or $` + envClientConfig + `) holds defaults for
the flags --node, --chain-id, --keyring-backend and --home, so that they need not be repeated.
A flag given on the command line always wins. depin devnet writes it for its network.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadClientConfig()
			if err != nil {
				return err
			}
			if outputJSON(cmd) {
				return keysPrintJSON(cmd.OutOrStdout(), c)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "# %s\n", clientConfigPath())
			for _, k := range clientConfigNames() {
				if v, ok := c[k]; ok {
					fmt.Fprintf(cmd.OutOrStdout(), "%s = %s\n", k, v)
				}
			}
			return nil
		},
	}
	set := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Set a client setting: " + strings.Join(clientConfigNames(), ", "),
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, ok := clientConfigKeys[args[0]]; !ok {
				return fmt.Errorf("config set: unknown setting %q: use one of %s", args[0], strings.Join(clientConfigNames(), ", "))
			}
			c, err := loadClientConfig()
			if err != nil {
				return err
			}
			c[args[0]] = args[1]
			return writeClientConfig(c)
		},
	}
	get := &cobra.Command{
		Use:   "get KEY",
		Short: "Print a client setting",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, ok := clientConfigKeys[args[0]]; !ok {
				return fmt.Errorf("config get: unknown setting %q: use one of %s", args[0], strings.Join(clientConfigNames(), ", "))
			}
			c, err := loadClientConfig()
			if err != nil {
				return err
			}
			v, ok := c[args[0]]
			if !ok {
				return fmt.Errorf("config get: %s is not set (depin config set %s VALUE)", args[0], args[0])
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), v)
			return err
		},
	}
	unset := &cobra.Command{
		Use:   "unset KEY",
		Short: "Remove a client setting",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := loadClientConfig()
			if err != nil {
				return err
			}
			delete(c, args[0])
			return writeClientConfig(c)
		},
	}
	c.AddCommand(set, get, unset)
	return c
}
