package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	aenergy "github.com/depin-network/depin/agent/energy"
	"github.com/depin-network/depin/internal/query"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxEnergyCmds builds the commands of this file; the root command adds them.
func newTxEnergyCmds() []*cobra.Command {
	en := &cobra.Command{Use: "energy", Short: "Sell and buy energy per interval and retire energy attribute certificates"}
	order := func(use, short, example string, ask bool) *cobra.Command {
		c := &cobra.Command{Use: use, Short: short, Example: example, Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error { return runEnergyOrder(cmd, args, ask) }}
		f := c.Flags()
		f.Uint64("interval", 0, "the interval to trade (default: --ahead intervals after the current one)")
		f.Uint64("ahead", 2, "intervals after the current one, when --interval is not given")
		f.Uint64("wh", 0, "watt-hours (required)")
		f.Uint64("price", 0, "price in upin per kWh (required): the lowest accepted for an ask, the highest paid for a bid")
		return c
	}
	ask := order("ask FROM DEVICE", "Sell energy DEVICE will export in an interval; collateral moves into escrow",
		"  depin tx energy ask alice pin1meter... --wh 800 --price 120000", true)
	bid := order("bid FROM DEVICE", "Buy energy for DEVICE's import in an interval; the payment moves into escrow",
		"  depin tx energy bid bob pin1meter... --wh 500 --price 250000 --interval 1954321", false)
	retire := &cobra.Command{Use: "retire FROM CERTIFICATE", Short: "Retire a certificate FROM holds against its metered consumption",
		Args: cobra.ExactArgs(2), RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("certificate", args[1])
			if err != nil {
				return err
			}
			typ, val, err := aenergy.RetireMsg(id)
			if err != nil {
				return err
			}
			return sendEnergy(cmd, args[0], typ, val)
		}}
	en.AddCommand(ask, bid, retire)
	return []*cobra.Command{en}
}

func sendEnergy(cmd *cobra.Command, from, typ string, val []byte) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, from, &txv1.Msg{Type: typ, Value: val})
}

func runEnergyOrder(cmd *cobra.Command, args []string, ask bool) error {
	dev, err := resolveAddress(cmd, args[1])
	if err != nil {
		return err
	}
	wh, _ := cmd.Flags().GetUint64("wh")
	price, _ := cmd.Flags().GetUint64("price")
	if wh == 0 || price == 0 {
		return fmt.Errorf("--wh and --price are required and positive")
	}
	iv, _ := cmd.Flags().GetUint64("interval")
	if !cmd.Flags().Changed("interval") {
		if iv, err = nextInterval(cmd); err != nil {
			return err
		}
	}
	var typ string
	var val []byte
	if ask {
		typ, val, err = aenergy.AskMsg(dev, iv, wh, price)
	} else {
		typ, val, err = aenergy.BidMsg(dev, iv, wh, price)
	}
	if err != nil {
		return err
	}
	return sendEnergy(cmd, args[0], typ, val)
}

// nextInterval is the interval --ahead intervals after the one the latest
// block is in.
func nextInterval(cmd *cobra.Command) (uint64, error) {
	c, err := nodeClient(cmd)
	if err != nil {
		return 0, err
	}
	st, err := c.Status(cmd.Context())
	if err != nil {
		return 0, err
	}
	var ps query.Params
	if err := c.Query(cmd.Context(), "/params", &ps); err != nil {
		return 0, err
	}
	seconds := uint64(0)
	for _, p := range ps.Params {
		if p.Name == "energy.interval_seconds" {
			seconds = p.Value
		}
	}
	if seconds == 0 || st.BlockTime.IsZero() {
		return 0, fmt.Errorf("the node reports no energy interval or block time: give --interval")
	}
	ahead, _ := cmd.Flags().GetUint64("ahead")
	return aenergy.Interval(st.BlockTime, seconds) + ahead, nil
}

func parseZone(s string) (uint64, error) {
	z, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("zone %q: want an H3 index in hex", s)
	}
	return z, nil
}
