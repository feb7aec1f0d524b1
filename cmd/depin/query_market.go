package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/market"
)

// newQueryMarketCmds builds the commands of this file; the root command adds them.
func newQueryMarketCmds() []*cobra.Command {
	mq := &cobra.Command{Use: "market", Short: "Query providers, orders, bids and leases"}
	page := func(c *cobra.Command) *cobra.Command {
		c.Flags().Int("limit", market.DefaultLimit, fmt.Sprintf("most items per page (1 to %d)", market.MaxLimit))
		c.Flags().String("page-key", "", "next_page_key of the previous page")
		return c
	}
	providers := page(&cobra.Command{Use: "providers", Short: "List providers", Args: cobra.NoArgs, RunE: runQueryProviders})
	provider := &cobra.Command{Use: "provider ADDRESS", Short: "Show a provider with its attestations", Args: cobra.ExactArgs(1), RunE: runQueryProvider}
	orders := page(&cobra.Command{Use: "orders", Short: "List orders", Args: cobra.NoArgs, RunE: runQueryOrders})
	orders.Flags().String("owner", "", "only orders of this owner (address or key name)")
	orders.Flags().String("state", "", "only orders in this state: open, active or closed")
	bids := page(&cobra.Command{Use: "bids", Short: "List bids", Args: cobra.NoArgs, RunE: runQueryBids})
	bids.Flags().Uint64("order", 0, "only bids on this order")
	bids.Flags().String("provider", "", "only bids of this provider (address or key name)")
	bids.Flags().String("state", "", "only bids in this state: open, active, lost or closed")
	leases := page(&cobra.Command{Use: "leases", Short: "List leases", Args: cobra.NoArgs, RunE: runQueryLeases})
	leases.Flags().String("owner", "", "only leases of this owner (address or key name)")
	leases.Flags().String("provider", "", "only leases with this provider (address or key name)")
	leases.Flags().String("state", "", "only leases in this state: active or closed")
	lease := &cobra.Command{Use: "lease ID", Short: "Show a lease with its escrow and depositors", Args: cobra.ExactArgs(1), RunE: runQueryLease}
	auditors := &cobra.Command{Use: "auditors", Short: "List the auditor set", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQuery(cmd, "/market/auditors", func(w *tabwriter.Writer, v *struct {
				Auditors []string `json:"auditors"`
			}) {
				for _, a := range v.Auditors {
					fmt.Fprintln(w, a)
				}
			})
		}}
	usage := &cobra.Command{Use: "usage EPOCH", Short: "Show the credits spent with each provider in an epoch, not yet paid from the usage pool",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("epoch %q: want a number", args[0])
			}
			return runQuery(cmd, fmt.Sprintf("/market/usage/%d", n), func(w *tabwriter.Writer, u *market.UsageView) {
				fmt.Fprintf(w, "epoch %d: %d credits\n", u.Epoch, u.Total)
				for _, p := range u.Providers {
					fmt.Fprintf(w, "%s\t%d\n", p.Provider, p.Credits)
				}
			})
		}}
	mq.AddCommand(providers, provider, orders, bids, leases, lease, auditors, usage)
	credits := &cobra.Command{Use: "credits ADDRESS", Short: "Show an account's credits and the credit totals (burned, re-minted)",
		Args: cobra.ExactArgs(1), RunE: runQueryCredits}
	return []*cobra.Command{mq, credits}
}

// listArgs reads --limit, --page-key and the named address and text flags
// into query string arguments.
func listArgs(cmd *cobra.Command, addrFlags, textFlags []string) (url.Values, error) {
	f := cmd.Flags()
	args := url.Values{}
	for _, n := range addrFlags {
		if s, _ := f.GetString(n); s != "" {
			a, err := resolveAddress(cmd, s)
			if err != nil {
				return nil, fmt.Errorf("--%s: %w", n, err)
			}
			args.Set(n, a.String())
		}
	}
	for _, n := range textFlags {
		if s, _ := f.GetString(n); s != "" {
			args.Set(n, s)
		}
	}
	if n, _ := f.GetInt("limit"); n != market.DefaultLimit {
		args.Set("limit", fmt.Sprint(n))
	}
	if s, _ := f.GetString("page-key"); s != "" {
		args.Set("page_key", s)
	}
	return args, nil
}

func withArgs(path string, args url.Values) string {
	if len(args) == 0 {
		return path
	}
	return path + "?" + args.Encode()
}

func printNext(w *tabwriter.Writer, next string) {
	if next != "" {
		fmt.Fprintf(w, "next page:\t--page-key %s\n", next)
	}
}

func attrList(as []market.AttributeView) string {
	var parts []string
	for _, a := range as {
		parts = append(parts, a.Key+"="+a.Value)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

func runQueryProviders(cmd *cobra.Command, _ []string) error {
	args, err := listArgs(cmd, nil, nil)
	if err != nil {
		return err
	}
	return runQuery(cmd, withArgs("/market/providers", args), func(w *tabwriter.Writer, p *market.ProvidersPage) {
		fmt.Fprintln(w, "PROVIDER\tHOST URI\tATTRIBUTES\tLEASES\tCREDITS EARNED")
		for _, v := range p.Providers {
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\n", v.Owner, v.HostURI, attrList(v.Attributes), v.Leases, v.CreditsEarned)
		}
		printNext(w, p.NextPageKey)
	})
}

func runQueryProvider(cmd *cobra.Command, args []string) error {
	a, err := resolveAddress(cmd, args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, "/market/providers/"+a.String(), func(w *tabwriter.Writer, v *market.ProviderView) {
		fmt.Fprintf(w, "provider:\t%s\n", v.Owner)
		fmt.Fprintf(w, "host uri:\t%s\n", v.HostURI)
		fmt.Fprintf(w, "attributes:\t%s\n", attrList(v.Attributes))
		fmt.Fprintf(w, "registered:\theight %d\n", v.CreatedHeight)
		fmt.Fprintf(w, "leases:\t%d\n", v.Leases)
		fmt.Fprintf(w, "credits earned:\t%d\n", v.CreditsEarned)
		for _, at := range v.Attestations {
			fmt.Fprintf(w, "attested by:\t%s\t%s\theight %d\n", at.Auditor, attrList(at.Attributes), at.Height)
		}
	})
}

func runQueryOrders(cmd *cobra.Command, _ []string) error {
	args, err := listArgs(cmd, []string{"owner"}, []string{"state"})
	if err != nil {
		return err
	}
	return runQuery(cmd, withArgs("/market/orders", args), func(w *tabwriter.Writer, p *market.OrdersPage) {
		fmt.Fprintln(w, "ID\tOWNER\tKIND\tQTY\tMAX PRICE\tDURATION\tDEPOSIT\tSTATE\tBIDS\tLEASE")
		for _, o := range p.Orders {
			fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t%d\n", o.ID, o.Owner, o.Kind, o.Quantity, o.MaxPrice, o.Duration, o.Deposit, o.State, o.Bids, o.Lease)
		}
		printNext(w, p.NextPageKey)
	})
}

func runQueryBids(cmd *cobra.Command, _ []string) error {
	args, err := listArgs(cmd, []string{"provider"}, []string{"state"})
	if err != nil {
		return err
	}
	if o, _ := cmd.Flags().GetUint64("order"); o != 0 {
		args.Set("order", fmt.Sprint(o))
	}
	return runQuery(cmd, withArgs("/market/bids", args), func(w *tabwriter.Writer, p *market.BidsPage) {
		fmt.Fprintln(w, "ORDER\tPROVIDER\tPRICE\tCOLLATERAL\tSTATE\tEXPIRES")
		for _, b := range p.Bids {
			fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\t%d\n", b.Order, b.Provider, b.Price, b.Collateral, b.State, b.ExpiresHeight)
		}
		printNext(w, p.NextPageKey)
	})
}

func runQueryLeases(cmd *cobra.Command, _ []string) error {
	args, err := listArgs(cmd, []string{"owner", "provider"}, []string{"state"})
	if err != nil {
		return err
	}
	return runQuery(cmd, withArgs("/market/leases", args), func(w *tabwriter.Writer, p *market.LeasesPage) {
		fmt.Fprintln(w, "ID\tOWNER\tPROVIDER\tRATE\tBALANCE\tPAID\tSTATE\tREASON")
		for _, l := range p.Leases {
			fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", l.ID, l.Owner, l.Provider, l.Rate, l.Balance, l.Paid, l.State, l.CloseReason)
		}
		printNext(w, p.NextPageKey)
	})
}

func runQueryLease(cmd *cobra.Command, args []string) error {
	id, err := parseID("lease", args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, fmt.Sprintf("/market/leases/%d", id), func(w *tabwriter.Writer, l *market.LeaseView) {
		fmt.Fprintf(w, "lease:\t%d (order %d)\n", l.ID, l.Order)
		fmt.Fprintf(w, "owner:\t%s\n", l.Owner)
		fmt.Fprintf(w, "provider:\t%s\n", l.Provider)
		fmt.Fprintf(w, "resource:\t%d × %s at %d upin per unit per block (%d upin per block)\n", l.Quantity, l.Kind, l.Price, l.Rate)
		fmt.Fprintf(w, "blocks:\t%d to %d, paid through %d\n", l.StartHeight, l.EndHeight, l.SettledHeight)
		if l.State == "active" {
			fmt.Fprintf(w, "state:\tactive, next settlement at height %d\n", l.NextDue)
		} else {
			fmt.Fprintf(w, "state:\tclosed at height %d: %s (%d)\n", l.ClosedHeight, l.CloseReason, l.CloseCode)
		}
		fmt.Fprintf(w, "escrow:\tdeposited %d, paid %d, take %d, refunded %d, balance %d\n", l.Deposited, l.Paid, l.Take, l.Refunded, l.Balance)
		for _, d := range l.Depositors {
			fmt.Fprintf(w, "depositor:\t%s\t%d deposited, %d left\n", d.Address, d.Amount, d.Remaining)
		}
	})
}

func runQueryCredits(cmd *cobra.Command, args []string) error {
	a, err := resolveAddress(cmd, args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, "/credits/"+a.String(), func(w *tabwriter.Writer, v *credit.View) {
		fmt.Fprintf(w, "address:\t%s\n", v.Address)
		fmt.Fprintf(w, "credits:\t%d\n", v.Credits)
		fmt.Fprintf(w, "all accounts:\t%d outstanding, %d bought, %d spent\n", v.Outstanding, v.Bought, v.Spent)
		fmt.Fprintf(w, "PIN burned:\t%d upin, %d re-minted, %d pending re-mint\n", v.BurnedUpin, v.RemintedUpin, v.PendingRemintUpin)
	})
}
