package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/dataservice"
)

// newDataCmds is depin data: reading a device's data as a grantee.
func newDataCmds() []*cobra.Command {
	d := &cobra.Command{Use: "data", Short: "Read sensor data you hold a grant for"}
	read := &cobra.Command{Use: "read DEVICE", Short: "Read DEVICE's readings of the granted channels from the data service",
		Example: "  depin data read pin1dev... --channel temperature --since 1h --from alice\n  depin data read pin1dev... --channel temperature --follow --from alice",
		Args:    cobra.ExactArgs(1), RunE: runDataRead}
	f := read.Flags()
	f.String("channel", "", "channels, comma-separated (required)")
	f.Duration("since", time.Hour, "readings of this last period")
	f.String("from", "", "the grantee's key name (signs the request)")
	f.String("data-url", "http://"+dataservice.DefaultConfig().Addr, "the data service")
	f.Bool("follow", false, "keep streaming new readings until the grant ends")
	d.AddCommand(read)
	return []*cobra.Command{d}
}

func runDataRead(cmd *cobra.Command, args []string) error {
	dev, err := resolveAddress(cmd, args[0])
	if err != nil {
		return err
	}
	chs, _ := cmd.Flags().GetString("channel")
	channels := splitList(chs)
	if len(channels) == 0 {
		return fmt.Errorf("name the channels with --channel")
	}
	from, _ := cmd.Flags().GetString("from")
	if from == "" {
		return fmt.Errorf("--from names the grantee's key")
	}
	key, err := txKey(cmd, from)
	if err != nil {
		return err
	}
	url, _ := cmd.Flags().GetString("data-url")
	since, _ := cmd.Flags().GetDuration("since")
	c := &dataservice.Client{URL: strings.TrimSuffix(url, "/"), Key: key}
	t0 := time.Now().Add(-since).UnixNano()
	print := func(v dataservice.ReadingView) {
		if outputJSON(cmd) {
			_ = printJSON(cmd, v)
			return
		}
		var parts []string
		for _, ch := range channels {
			if x, ok := v.Values[ch]; ok {
				parts = append(parts, fmt.Sprintf("%s=%d", ch, x))
			}
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", time.Unix(0, v.Time).UTC().Format(time.RFC3339), strings.Join(parts, " "))
	}
	if follow, _ := cmd.Flags().GetBool("follow"); follow {
		return c.Stream(cmd.Context(), dev, channels, t0, print)
	}
	rs, err := c.Read(cmd.Context(), dev, channels, t0)
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, rs)
	}
	for _, v := range rs {
		print(v)
	}
	return nil
}
