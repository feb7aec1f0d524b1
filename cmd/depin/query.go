package main

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"encoding/hex"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/query"
)

// newQueryCmd builds depin query and its subcommands.
func newQueryCmd() *cobra.Command {
	queryCmd := &cobra.Command{
		Use:     "query",
		Aliases: []string{"q"},
		Short:   "Query a node's committed state (accounts, supply, devices, makers, params, txs)",
		Long: `Query a node's committed state through its RPC (--node). With --output json the answer is
printed as JSON: 64-bit numbers as strings, addresses in bech32, H3 cells in hex.`,
	}
	queryCmd.PersistentFlags().String("node", client.DefaultNode, "CometBFT RPC address of the node")
	queryCmd.PersistentFlags().String("passphrase-file", "", "read the keyring passphrase from the first line of this file")

	bankQ := &cobra.Command{Use: "bank", Short: "Query balances and supply"}
	bankQ.AddCommand(
		&cobra.Command{Use: "balance ADDRESS|KEYNAME", Short: "Show an account's balance and sequence", Args: cobra.ExactArgs(1), RunE: runQueryBalance},
		&cobra.Command{Use: "supply", Short: "Show the token supply", Args: cobra.NoArgs, RunE: runQuerySupply},
	)
	devQ := &cobra.Command{Use: "device", Short: "Query devices and makers"}
	list := &cobra.Command{Use: "list", Short: "List devices, filtered and paginated", Args: cobra.NoArgs, RunE: runQueryDevices}
	list.Flags().String("owner", "", "only devices of this owner (address or key name)")
	list.Flags().String("cell", "", "only active devices at this H3 cell (hex)")
	list.Flags().String("kind", "", "only active devices of this kind")
	list.Flags().Bool("active", false, "leave out decommissioned devices")
	list.Flags().Int("limit", query.DefaultLimit, fmt.Sprintf("most devices per page (1 to %d)", query.MaxLimit))
	list.Flags().String("page-key", "", "next_page_key of the previous page")
	locs := &cobra.Command{Use: "locations DEVICE", Short: "Show a device's location history, oldest first", Args: cobra.ExactArgs(1), RunE: runQueryLocations}
	locs.Flags().Int("limit", query.DefaultLimit, "most assertions per page")
	locs.Flags().String("page-key", "", "next_page_key of the previous page")
	makers := &cobra.Command{Use: "makers", Short: "List device makers", Args: cobra.NoArgs, RunE: runQueryMakers}
	makers.Flags().Int("limit", query.DefaultLimit, "most makers per page")
	makers.Flags().String("page-key", "", "next_page_key of the previous page")
	devQ.AddCommand(
		&cobra.Command{Use: "show DEVICE", Short: "Show a device (address, hex public key or key name)", Args: cobra.ExactArgs(1), RunE: runQueryDevice},
		list, locs, makers,
	)
	queryCmd.AddCommand(bankQ, devQ,
		&cobra.Command{Use: "params", Short: "Show every parameter with its value and bounds", Args: cobra.NoArgs, RunE: runQueryParams},
		&cobra.Command{Use: "tx HASH", Short: "Show a committed transaction's result", Args: cobra.ExactArgs(1), RunE: runQueryTx},
	)
	for _, cmds := range queryGroups {
		queryCmd.AddCommand(cmds()...)
	}
	return queryCmd
}

// runQuery fetches path, prints it as JSON with --output json, else hands
// the decoded answer to text.
func runQuery[T any](cmd *cobra.Command, path string, text func(*tabwriter.Writer, *T)) error {
	c, err := nodeClient(cmd)
	if err != nil {
		return err
	}
	var v T
	if err := c.Query(cmd.Context(), path, &v); err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, v)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	text(tw, &v)
	return tw.Flush()
}

func runQueryBalance(cmd *cobra.Command, args []string) error {
	a, err := resolveAddress(cmd, args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, "/accounts/"+a.String(), func(w *tabwriter.Writer, acc *query.Account) {
		d := client.DenomOf(acc.Denom, acc.Decimals)
		fmt.Fprintf(w, "address:\t%s\n", acc.Address)
		fmt.Fprintf(w, "balance:\t%d%s\t(%s)\n", acc.Balance, acc.Denom, d.FormatAmount(acc.Balance))
		fmt.Fprintf(w, "sequence:\t%d\n", acc.Sequence)
	})
}

func runQuerySupply(cmd *cobra.Command, _ []string) error {
	return runQuery(cmd, "/supply", func(w *tabwriter.Writer, s *query.Supply) {
		d := client.DenomOf(s.Denom, s.Decimals)
		fmt.Fprintf(w, "denom:\t%s\t(%d decimals)\n", s.Denom, s.Decimals)
		fmt.Fprintf(w, "total:\t%d%s\t(%s)\n", s.Total, s.Denom, d.FormatAmount(s.Total))
		fmt.Fprintf(w, "minted:\t%d%s\n", s.Minted, s.Denom)
		fmt.Fprintf(w, "burned:\t%d%s\n", s.Burned, s.Denom)
	})
}

func runQueryDevice(cmd *cobra.Command, args []string) error {
	id, err := resolveDevice(cmd, args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, "/devices/"+id.String(), func(w *tabwriter.Writer, d *query.Device) {
		fmt.Fprintf(w, "id:\t%s\n", d.ID)
		fmt.Fprintf(w, "pub key:\t%s\n", d.PubKey)
		fmt.Fprintf(w, "kind:\t%s\n", d.Kind)
		fmt.Fprintf(w, "maker:\t%s\n", d.Maker)
		fmt.Fprintf(w, "serial:\t%s\n", d.Serial)
		fmt.Fprintf(w, "owner:\t%s\n", d.Owner)
		fmt.Fprintf(w, "onboarded:\theight %d\n", d.OnboardedHeight)
		if d.Active {
			fmt.Fprintf(w, "status:\tactive\n")
		} else {
			fmt.Fprintf(w, "status:\tdecommissioned at height %d\n", d.DecommissionedHeight)
		}
		if l := d.Location; l != nil {
			fmt.Fprintf(w, "location:\tcell %s (res %d), attributes %s, height %d\n", l.Cell, l.Resolution, describeAttributes(d.Kind, l.Attributes), l.Height)
		} else {
			fmt.Fprintf(w, "location:\tnone asserted\n")
		}
		fmt.Fprintf(w, "assertions:\t%d\n", d.Assertions)
	})
}

func runQueryDevices(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	args := url.Values{}
	if s, _ := f.GetString("owner"); s != "" {
		a, err := resolveAddress(cmd, s)
		if err != nil {
			return fmt.Errorf("owner: %w", err)
		}
		args.Set("owner", a.String())
	}
	for _, name := range []string{"cell", "kind"} {
		if s, _ := f.GetString(name); s != "" {
			args.Set(name, s)
		}
	}
	if b, _ := f.GetBool("active"); b {
		args.Set("active", "true")
	}
	pageArgs(cmd, args)
	return runQuery(cmd, "/devices?"+args.Encode(), func(w *tabwriter.Writer, l *query.DeviceList) {
		fmt.Fprintf(w, "ID\tKIND\tOWNER\tCELL\tSTATUS\n")
		for _, d := range l.Devices {
			cell, status := "-", "active"
			if d.Location != nil {
				cell = d.Location.Cell
			}
			if !d.Active {
				status = "decommissioned"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Kind, d.Owner, cell, status)
		}
		nextPage(w, l.NextPageKey)
	})
}

func pageArgs(cmd *cobra.Command, args url.Values) {
	if n, _ := cmd.Flags().GetInt("limit"); n != query.DefaultLimit {
		args.Set("limit", strconv.Itoa(n))
	}
	if s, _ := cmd.Flags().GetString("page-key"); s != "" {
		args.Set("page_key", s)
	}
}

func nextPage(w *tabwriter.Writer, key string) {
	if key != "" {
		fmt.Fprintf(w, "next page:\t--page-key %s\n", key)
	}
}

func runQueryLocations(cmd *cobra.Command, a []string) error {
	id, err := resolveDevice(cmd, a[0])
	if err != nil {
		return err
	}
	args := url.Values{}
	pageArgs(cmd, args)
	return runQuery(cmd, "/devices/"+id.String()+"/locations?"+args.Encode(), func(w *tabwriter.Writer, l *query.LocationList) {
		fmt.Fprintf(w, "HEIGHT\tCELL\tRES\tATTRIBUTES\n")
		for _, loc := range l.Locations {
			fmt.Fprintf(w, "%d\t%s\t%d\t%s\n", loc.Height, loc.Cell, loc.Resolution, describeAttributes(coverage.Name, loc.Attributes))
		}
		nextPage(w, l.NextPageKey)
	})
}

func runQueryMakers(cmd *cobra.Command, _ []string) error {
	args := url.Values{}
	pageArgs(cmd, args)
	return runQuery(cmd, "/makers?"+args.Encode(), func(w *tabwriter.Writer, l *query.MakerList) {
		fmt.Fprintf(w, "ID\tNAME\tKINDS\tONBOARD FEE\tDEVICES\n")
		for _, m := range l.Makers {
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\n", m.ID, m.Name, strings.Join(m.Kinds, ","), m.OnboardFee, m.Devices)
		}
		nextPage(w, l.NextPageKey)
	})
}

func runQueryParams(cmd *cobra.Command, _ []string) error {
	return runQuery(cmd, "/params", func(w *tabwriter.Writer, p *query.Params) {
		fmt.Fprintf(w, "authority:\t%s\n\n", p.Authority)
		fmt.Fprintf(w, "NAME\tVALUE\tUNIT\tMIN\tMAX\n")
		for _, v := range p.Params {
			fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%d\n", v.Name, v.Value, v.Unit, v.Min, v.Max)
		}
	})
}

// runQueryTx asks the node's CometBFT kv indexer (/tx?hash=).
func runQueryTx(cmd *cobra.Command, args []string) error {
	c, err := nodeClient(cmd)
	if err != nil {
		return err
	}
	tx, err := c.Tx(cmd.Context(), args[0])
	if errors.Is(err, client.ErrTxNotFound) {
		return fmt.Errorf("%w: not committed yet (try again after the next block), or sent to another chain", err)
	}
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, tx)
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "hash:\t%s\n", tx.Hash)
	fmt.Fprintf(w, "height:\t%d\n", tx.Height)
	fmt.Fprintf(w, "index:\t%d\n", tx.Index)
	fmt.Fprintf(w, "code:\t%d (%s)\n", tx.Code, tx.Status)
	if tx.Log != "" {
		fmt.Fprintf(w, "log:\t%s\n", tx.Log)
	}
	for _, e := range tx.Events {
		var attrs []string
		for _, a := range e.Attrs {
			attrs = append(attrs, a.Key+"="+a.Value)
		}
		fmt.Fprintf(w, "event:\t%s %s\n", e.Type, strings.Join(attrs, " "))
	}
	return w.Flush()
}

// describeAttributes shows a device's attributes: a coverage device's
// antenna and region, any other kind's as hex.
func describeAttributes(kindName, attrs string) string {
	b, err := hex.DecodeString(attrs)
	if kindName != coverage.Name || err != nil {
		return attrs
	}
	a, err := coverage.DecodeAttributes(b)
	if err != nil {
		return attrs
	}
	return fmt.Sprintf("gain %d dBi/10, elevation %d m, region %q", a.GetGain(), a.GetElevation(), a.GetRegion())
}
