package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/dataaccess"
)

// newQueryDataCmds is depin query data.
func newQueryDataCmds() []*cobra.Command {
	d := &cobra.Command{Use: "data", Short: "Query data access grants"}
	grants := &cobra.Command{Use: "grants", Short: "List the grants of a device (--device) or of a grantee (--grantee)",
		Example: "  depin query data grants --device pin1dev...\n  depin query data grants --grantee alice", Args: cobra.NoArgs, RunE: runQueryGrants}
	grants.Flags().String("device", "", "device address")
	grants.Flags().String("grantee", "", "grantee address or key name")
	grant := &cobra.Command{Use: "grant ID", Short: "Show one grant", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("grant", args[0])
			if err != nil {
				return err
			}
			return runQuery(cmd, fmt.Sprintf("/data/grants/%d", id), func(w *tabwriter.Writer, g *dataaccess.GrantView) { printGrants(w, []dataaccess.GrantView{*g}) })
		}}
	d.AddCommand(grants, grant)
	return []*cobra.Command{d}
}

func runQueryGrants(cmd *cobra.Command, _ []string) error {
	dev, _ := cmd.Flags().GetString("device")
	gr, _ := cmd.Flags().GetString("grantee")
	var path string
	switch {
	case dev != "" && gr == "":
		a, err := resolveAddress(cmd, dev)
		if err != nil {
			return err
		}
		path = "/data/devices/" + a.String() + "/grants"
	case gr != "" && dev == "":
		a, err := resolveAddress(cmd, gr)
		if err != nil {
			return err
		}
		path = "/data/grantees/" + a.String() + "/grants"
	default:
		return fmt.Errorf("give exactly one of --device and --grantee")
	}
	return runQuery(cmd, path, func(w *tabwriter.Writer, gs *[]dataaccess.GrantView) { printGrants(w, *gs) })
}

func printGrants(w *tabwriter.Writer, gs []dataaccess.GrantView) {
	fmt.Fprintln(w, "ID\tSTATUS\tDEVICE\tGRANTEE\tCHANNELS\tFROM\tUNTIL\tPRICE")
	for _, g := range gs {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", g.ID, g.Status, g.Device, g.Grantee, strings.Join(g.Channels, ","),
			time.Unix(g.NotBefore, 0).UTC().Format(time.RFC3339), time.Unix(g.NotAfter, 0).UTC().Format(time.RFC3339), g.Price)
	}
}
