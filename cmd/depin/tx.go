package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxCmd builds depin tx and its subcommands.
func newTxCmd() *cobra.Command {
	txCmd := &cobra.Command{
		Use:   "tx",
		Short: "Sign transactions with a key from the keyring, send them and wait for the commit",
		Long: `Sign transactions with a key from <home>/keyring, send them to a node's RPC (--node)
and wait until they are committed. Each command prints the height, hash, code and message,
and exits non-zero when the node rejects the transaction or it fails in its block.

Amounts are written with their unit: 1000upin (base units) or 1.5pin (6 decimals).
The fee defaults to the chain's bank.min_fee parameter.`,
	}
	pf := txCmd.PersistentFlags()
	pf.String("node", client.DefaultNode, "CometBFT RPC address of the node")
	pf.String("fee", "", "transaction fee, e.g. 1000upin (default: the chain's bank.min_fee)")
	pf.String("memo", "", "free text stored with the transaction")
	pf.Duration("wait", client.DefaultWaitTimeout, "how long to wait for the transaction to be committed")
	pf.String("passphrase-file", "", "read the keyring passphrase from the first line of this file")
	pf.String("chain-id", "", "refuse to sign unless the node's chain has this id (default from the client config)")
	pf.BoolP("yes", "y", false, "do not ask for confirmation (depin tx never asks; accepted as in Cosmos CLIs)")
	for _, cmds := range txGroups {
		txCmd.AddCommand(cmds()...)
	}
	return txCmd
}

// nodeClient returns a client of the --node flag. With --chain-id (tx
// commands), the node must be on that chain.
func nodeClient(cmd *cobra.Command) (*client.Client, error) {
	node, _ := cmd.Flags().GetString("node")
	c, err := client.New(node)
	if err != nil {
		return nil, err
	}
	if f := cmd.Flags().Lookup("chain-id"); f != nil && f.Value.String() != "" && cmd.HasParent() && isTx(cmd) {
		st, err := c.Status(cmd.Context())
		if err != nil {
			return nil, err
		}
		if st.ChainID != f.Value.String() {
			return nil, fmt.Errorf("the node at %s is on chain %q, not %q: pass the right --node or --chain-id (depin config set chain-id)", c.URL(), st.ChainID, f.Value.String())
		}
	}
	return c, nil
}

// isTx reports whether cmd is under depin tx.
func isTx(cmd *cobra.Command) bool {
	for c := cmd; c.HasParent(); c = c.Parent() {
		if c.Name() == "tx" && !c.Parent().HasParent() {
			return true
		}
	}
	return false
}

// chainDenom reads the token's denom from the node.
func chainDenom(cmd *cobra.Command, c *client.Client) (client.Denom, error) {
	var s query.Supply
	if err := c.Query(cmd.Context(), "/supply", &s); err != nil {
		return client.Denom{}, err
	}
	return client.DenomOf(s.Denom, s.Decimals), nil
}

// txKey loads the private key named name from the keyring.
func txKey(cmd *cobra.Command, name string) (sig.PrivateKey, error) {
	kr, _, err := keyringFromFlags(cmd)
	if err != nil {
		return nil, err
	}
	return kr.PrivateKey(name)
}

// resolveAddress reads a bech32 address, or the address of a key in the
// keyring.
func resolveAddress(cmd *cobra.Command, s string) (ledger.Address, error) {
	if strings.HasPrefix(s, ledger.AddressPrefix+"1") {
		return ledger.ParseAddress(s)
	}
	if !keyring.ValidName(s) {
		return ledger.Address{}, fmt.Errorf("%q is neither a pin1... address nor a key name", s)
	}
	kr, _, err := keyringFromFlags(cmd)
	if err != nil {
		return ledger.Address{}, err
	}
	info, err := kr.Show(s)
	if err != nil {
		return ledger.Address{}, fmt.Errorf("%q is not an address, and: %w", s, err)
	}
	return info.Address, nil
}

// txFee is --fee, or the chain's minimum fee.
func txFee(cmd *cobra.Command, c *client.Client, denom client.Denom) (uint64, error) {
	if s, _ := cmd.Flags().GetString("fee"); s != "" {
		return denom.ParseAmount(s)
	}
	var ps query.Params
	if err := c.Query(cmd.Context(), "/params", &ps); err != nil {
		return 0, err
	}
	fee, ok := ps.Value(bank.MinFee.Name)
	if !ok {
		return 0, fmt.Errorf("the node has no %s parameter: pass --fee", bank.MinFee.Name)
	}
	return fee, nil
}

// txSend signs msgs with the key named from, sends them, waits for the
// commit and prints the result. It returns the *client.TxError of a
// rejected or failed transaction.
func txSend(cmd *cobra.Command, c *client.Client, denom client.Denom, from string, msgs ...*txv1.Msg) error {
	priv, err := txKey(cmd, from)
	if err != nil {
		return err
	}
	fee, err := txFee(cmd, c, denom)
	if err != nil {
		return err
	}
	memo, _ := cmd.Flags().GetString("memo")
	wait, _ := cmd.Flags().GetDuration("wait")
	res, err := c.SignAndSend(cmd.Context(), priv, client.Tx{Msgs: msgs, Fee: fee, Memo: memo, Timeout: wait})
	if res != nil {
		if perr := printTxResult(cmd, res); perr != nil {
			return perr
		}
	}
	return err
}

// txSetup opens the node client and reads the denom, for commands that
// parse amounts before sending.
func txSetup(cmd *cobra.Command) (*client.Client, client.Denom, error) {
	c, err := nodeClient(cmd)
	if err != nil {
		return nil, client.Denom{}, err
	}
	d, err := chainDenom(cmd, c)
	return c, d, err
}

func printTxResult(cmd *cobra.Command, res *client.TxResult) error {
	w := cmd.OutOrStdout()
	if outputJSON(cmd) {
		return printJSON(cmd, res)
	}
	if res.Height > 0 {
		fmt.Fprintf(w, "height: %d\n", res.Height)
	}
	fmt.Fprintf(w, "hash:   %s\n", res.Hash)
	fmt.Fprintf(w, "code:   %d (%s)\n", res.Code, res.Status)
	if res.Log != "" {
		fmt.Fprintf(w, "log:    %s\n", res.Log)
	}
	for _, e := range res.Events {
		var attrs []string
		for _, a := range e.Attrs {
			attrs = append(attrs, a.Key+"="+a.Value)
		}
		fmt.Fprintf(w, "event:  %s %s\n", e.Type, strings.Join(attrs, " "))
	}
	return nil
}

// printJSON writes v as indented JSON.
func printJSON(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
