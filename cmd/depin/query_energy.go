package main

import (
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/energy"
)

// newQueryEnergyCmds builds the commands of this file; the root command adds them.
func newQueryEnergyCmds() []*cobra.Command {
	eq := &cobra.Command{Use: "energy", Short: "Query the energy market: intervals, clearings, settlements and certificates"}
	intervals := &cobra.Command{Use: "intervals", Short: "List cleared and pending intervals per zone", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := url.Values{}
			if z, _ := cmd.Flags().GetString("zone"); z != "" {
				v.Set("zone", z)
			}
			if f, _ := cmd.Flags().GetUint64("from"); f > 0 {
				v.Set("from", strconv.FormatUint(f, 10))
			}
			l, _ := cmd.Flags().GetInt("limit")
			v.Set("limit", strconv.Itoa(l))
			return runQuery(cmd, "/energy/intervals?"+v.Encode(), func(w *tabwriter.Writer, r *struct {
				Intervals []energy.ClearingView `json:"intervals"`
			}) {
				fmt.Fprintln(w, "ZONE\tINTERVAL\tPRICE (upin/kWh)\tTRADED (Wh)\tASKS\tBIDS\tSTATE")
				for _, c := range r.Intervals {
					fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", c.Zone, c.Interval, c.Price, c.TradedWh, c.Asks, c.Bids, clearingState(c))
				}
			})
		}}
	intervals.Flags().String("zone", "", "only this zone (H3 index in hex)")
	intervals.Flags().Uint64("from", 0, "first interval")
	intervals.Flags().Int("limit", 100, fmt.Sprintf("most intervals (1 to %d)", energy.MaxLimit))
	clearing := &cobra.Command{Use: "clearing ZONE INTERVAL", Short: "Show an interval's auction: orders, trades, reads and settlement lines",
		Args: cobra.ExactArgs(2), RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := parseZone(args[0]); err != nil {
				return err
			}
			iv, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("interval %q: want a number", args[1])
			}
			return runQuery(cmd, fmt.Sprintf("/energy/clearing/%s/%d", args[0], iv), func(w *tabwriter.Writer, d *energy.ClearingDetail) {
				fmt.Fprintf(w, "zone %s interval %d: %s, %d Wh at %d upin/kWh\n\n", d.Zone, d.Interval, clearingState(d.ClearingView), d.TradedWh, d.Price)
				fmt.Fprintln(w, "ORDER\tSIDE\tDEVICE\tWH\tPRICE\tMATCHED\tSTATE")
				for _, o := range d.Orders {
					fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%d\t%s\n", o.ID, o.Side, o.Device, o.Wh, o.Price, o.MatchedWh, o.State)
				}
				fmt.Fprintln(w, "\nTRADE\tASK\tBID\tWH\tDELIVERED")
				for _, t := range d.Trades {
					fmt.Fprintf(w, "%d\t%d\t%d\t%d\t%d\n", t.Seq, t.Ask, t.Bid, t.Wh, t.DeliveredWh)
				}
				fmt.Fprintln(w, "\nREAD\tCOMPLETE\tIMPORTED\tEXPORTED\tPRODUCED\tSOC")
				for _, r := range d.Reads {
					fmt.Fprintf(w, "%s\t%v\t%d\t%d\t%d\t%d\n", r.Device, r.Complete, r.ImportedWh, r.ExportedWh, r.ProducedWh, r.SocWh)
				}
				printLines(w, d.Lines)
			})
		}}
	settlement := &cobra.Command{Use: "settlement DEVICE", Short: "List a device's settlement lines, each with its reason",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
			dev, err := resolveAddress(cmd, args[0])
			if err != nil {
				return err
			}
			from, _ := cmd.Flags().GetUint64("from")
			l, _ := cmd.Flags().GetInt("limit")
			return runQuery(cmd, fmt.Sprintf("/energy/settlement/%s?from=%d&limit=%d", dev, from, l), func(w *tabwriter.Writer, r *struct {
				Lines []energy.LineView `json:"lines"`
			}) {
				printLines(w, r.Lines)
			})
		}}
	settlement.Flags().Uint64("from", 0, "first interval")
	settlement.Flags().Int("limit", 100, fmt.Sprintf("most lines (1 to %d)", energy.MaxLimit))
	certificates := &cobra.Command{Use: "certificates ADDRESS", Short: "List the energy attribute certificates an account holds",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
			a, err := resolveAddress(cmd, args[0])
			if err != nil {
				return err
			}
			return runQuery(cmd, "/energy/certificates/"+a.String(), func(w *tabwriter.Writer, r *struct {
				Certificates []energy.CertificateView `json:"certificates"`
				ConsumedWh   uint64                   `json:"consumed_wh,string"`
				RetiredWh    uint64                   `json:"retired_wh,string"`
			}) {
				fmt.Fprintf(w, "metered consumption %d Wh, retired %d Wh\n", r.ConsumedWh, r.RetiredWh)
				fmt.Fprintln(w, "ID\tSOURCE DEVICE\tZONE\tINTERVAL\tWH\tRETIRED")
				for _, c := range r.Certificates {
					fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%v\n", c.ID, c.Device, c.Zone, c.Interval, c.Wh, c.Retired)
				}
			})
		}}
	eq.AddCommand(intervals, clearing, settlement, certificates)
	return []*cobra.Command{eq}
}

func clearingState(c energy.ClearingView) string {
	switch {
	case c.Settled:
		return "settled"
	case c.Cleared:
		return "cleared"
	}
	return "open"
}

func printLines(w *tabwriter.Writer, lines []energy.LineView) {
	fmt.Fprintln(w, "\nINTERVAL\tZONE\tSEQ\tKIND\tACCOUNT\tORDER\tWH\tAMOUNT (upin)\tREASON")
	for _, l := range lines {
		fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%s\t%d\t%d\t%d\t%s\n", l.Interval, l.Zone, l.Seq, l.Kind, l.Account, l.Order, l.Wh, l.Amount, l.Reason)
	}
}
