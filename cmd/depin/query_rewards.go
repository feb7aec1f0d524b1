package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/replay"
)

// newQueryRewardsCmds builds the commands of this file; the root command adds them.
func newQueryRewardsCmds() []*cobra.Command {
	rq := &cobra.Command{Use: "rewards", Short: "Query an oracle's reward explanations and epoch summaries"}
	rq.PersistentFlags().String("oracle", defaultOracle, "base URL of an oracle's API")
	dev := &cobra.Command{
		Use:   "device ID",
		Short: "Show a device's shares, payout, cumulative total and every report with its reason",
		Args:  cobra.ExactArgs(1),
		RunE:  runQueryRewardsDevice,
	}
	dev.Flags().Int64("epoch", -1, "the epoch (default: the latest the oracle scored)")
	rq.AddCommand(dev, &cobra.Command{
		Use:   "epoch N",
		Short: "Show an epoch's summary: devices scored, valid and invalid reports by reason, pool totals",
		Args:  cobra.ExactArgs(1),
		RunE:  runQueryRewardsEpoch,
	})
	return []*cobra.Command{rq}
}

func oracleSource(cmd *cobra.Command) *replay.HTTPSource {
	u, _ := cmd.Flags().GetString("oracle")
	return replay.NewHTTPSource(u, "")
}

func runQueryRewardsDevice(cmd *cobra.Command, args []string) error {
	var epoch *uint64
	if e, _ := cmd.Flags().GetInt64("epoch"); e >= 0 {
		v := uint64(e)
		epoch = &v
	}
	id := args[0]
	if a, err := resolveAddress(cmd, id); err == nil {
		id = a.String()
	}
	e, err := oracleSource(cmd).Device(cmd.Context(), id, epoch)
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, e)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "device:      %s\n", e.Device)
	if e.Owner != "" {
		fmt.Fprintf(w, "owner:       %s\n", e.Owner)
	}
	fmt.Fprintf(w, "epoch:       %d (scorer version %d)\n", e.Epoch, e.ScorerVersion)
	for _, s := range e.Stats {
		fmt.Fprintf(w, "%-12s %d\n", s.Name+":", s.Value)
	}
	for _, p := range e.Pools {
		fmt.Fprintf(w, "pool:        %s units %d amount %d\n", p.Pool, p.Units, p.Amount)
	}
	fmt.Fprintf(w, "payout:      %d\n", e.Payout)
	fmt.Fprintf(w, "cumulative:  %d\n", e.Cumulative)
	fmt.Fprintf(w, "reports:     %d\n", len(e.Reports))
	for _, r := range e.Reports {
		line := fmt.Sprintf("  %-8s %s  %-22s share %d", r.Role, r.ID[:16], r.Reason, r.Share)
		if r.Detail != "" {
			line += "  " + r.Detail
		}
		fmt.Fprintln(w, line)
	}
	return nil
}

func runQueryRewardsEpoch(cmd *cobra.Command, args []string) error {
	n, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return fmt.Errorf("epoch %q must be a non-negative integer", args[0])
	}
	s, err := oracleSource(cmd).Summary(cmd.Context(), n)
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, s)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "epoch:        %d (heights %d-%d, scorer version %d)\n", s.Epoch, s.StartHeight, s.EndHeight, s.ScorerVersion)
	fmt.Fprintf(w, "root:         %s\n", s.Root)
	fmt.Fprintf(w, "inputs hash:  %s\n", s.InputsHash)
	fmt.Fprintf(w, "segments:     %d\n", s.Segments)
	fmt.Fprintf(w, "devices:      %d registered, %d scored, %d paid, %d in the manifest\n", s.Devices, s.DevicesScored, s.DevicesPaid, s.ManifestDevice)
	fmt.Fprintf(w, "reports:      %d (%d valid, %d invalid, %d other, %d malformed)\n", s.Reports, s.Valid, s.Invalid, s.OtherReports, s.Malformed)
	for _, c := range s.ByReason {
		fmt.Fprintf(w, "  %-8s %-8s %-22s %d\n", c.Kind, c.Role, c.Reason, c.Count)
	}
	fmt.Fprintf(w, "emission:     %d\n", s.Emission)
	for _, p := range s.Pools {
		fmt.Fprintf(w, "  pool %-10s %5d bps  amount %d  paid %d  remainder %d\n", p.Name, p.Bps, p.Amount, p.Paid, p.Remainder)
	}
	fmt.Fprintf(w, "device total: %d\n", s.DeviceTotal)
	fmt.Fprintf(w, "treasury:     %d\n", s.Treasury)
	return nil
}
