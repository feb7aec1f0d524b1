package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/dataaccess"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxDataCmds is depin tx data: grants of read access to sensor data.
func newTxDataCmds() []*cobra.Command {
	d := &cobra.Command{Use: "data", Short: "Grant, accept and revoke read access to a sensor device's data"}
	grant := &cobra.Command{Use: "grant FROM DEVICE GRANTEE", Short: "Grant GRANTEE read access to channels of DEVICE (FROM owns it)",
		Example: "  depin tx data grant owner pin1dev... alice --channel temperature,humidity --for 720h --price 2pin",
		Args:    cobra.ExactArgs(3), RunE: runDataGrant}
	f := grant.Flags()
	f.String("channel", "", "channels, comma-separated (required)")
	f.Duration("for", 30*24*time.Hour, "length of the window from --start")
	f.Int64("start", 0, "window start in Unix seconds (default: now, and readings from before it stay closed)")
	f.String("price", "0", "price the grantee pays on accepting, e.g. 2pin (0: active at once)")
	accept := &cobra.Command{Use: "accept FROM GRANT", Short: "Accept and pay a priced grant as its grantee", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("grant", args[1])
			if err != nil {
				return err
			}
			return sendData(cmd, args[0], dataaccess.TypeAccept, &datav1.MsgAccept{Id: id})
		}}
	revoke := &cobra.Command{Use: "revoke FROM GRANT", Short: "Revoke a grant of a device FROM owns", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("grant", args[1])
			if err != nil {
				return err
			}
			return sendData(cmd, args[0], dataaccess.TypeRevoke, &datav1.MsgRevoke{Id: id})
		}}
	d.AddCommand(grant, accept, revoke)
	return []*cobra.Command{d}
}

func sendData(cmd *cobra.Command, from, typ string, m proto.Message) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, from, &txv1.Msg{Type: typ, Value: v})
}

func runDataGrant(cmd *cobra.Command, args []string) error {
	dev, err := resolveAddress(cmd, args[1])
	if err != nil {
		return err
	}
	grantee, err := resolveAddress(cmd, args[2])
	if err != nil {
		return err
	}
	chs, _ := cmd.Flags().GetString("channel")
	channels := splitList(chs)
	if len(channels) == 0 {
		return fmt.Errorf("name the channels with --channel")
	}
	slices.Sort(channels)
	dur, _ := cmd.Flags().GetDuration("for")
	start, _ := cmd.Flags().GetInt64("start")
	if start == 0 {
		start = time.Now().Unix()
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	ps, _ := cmd.Flags().GetString("price")
	price, err := denom.ParseAmount(strings.TrimSpace(ps))
	if err != nil {
		return fmt.Errorf("--price: %w", err)
	}
	m := &datav1.MsgGrant{Device: dev[:], Grantee: grantee[:], Channels: channels, NotBefore: start, NotAfter: start + int64(dur/time.Second), Price: price}
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: dataaccess.TypeGrant, Value: v})
}
