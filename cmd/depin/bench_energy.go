package main

import (
	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/bench"
)

func benchEnergyCmd() *cobra.Command {
	d := bench.DefaultEnergyConfig()
	c := &cobra.Command{
		Use:   "energy",
		Short: "End-block time of one zone's auction (1k and 10k orders) and one interval's settlement (10k and 100k meters)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			cfg.Orders, _ = cmd.Flags().GetIntSlice("orders")
			cfg.Meters, _ = cmd.Flags().GetIntSlice("meters")
			cfg.ZoneMeters, _ = cmd.Flags().GetInt("zone-meters")
			rep, err := bench.RunEnergy(cfg)
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	f := c.Flags()
	f.IntSlice("orders", d.Orders, "orders in the zone per auction run; the first is the baseline")
	f.IntSlice("meters", d.Meters, "meters settled per run; the first is the baseline")
	f.Int("zone-meters", d.ZoneMeters, "meters per zone in the settlement runs")
	return c
}
