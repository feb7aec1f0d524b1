package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/params"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxParamsCmds builds the commands of this file; the root command adds them.
func newTxParamsCmds() []*cobra.Command {
	paramsCmd := &cobra.Command{Use: "params", Short: "Change parameters (the params authority only)"}
	set := &cobra.Command{
		Use:     "set FROM NAME=VALUE...",
		Short:   "Set parameters; values are integers in the parameter's unit (see depin query params)",
		Example: "  depin tx params set authority bank.min_fee=2000 device.assert_fee=500000",
		Args:    cobra.MinimumNArgs(2),
		RunE:    runParamsSet,
	}
	paramsCmd.AddCommand(set)
	return []*cobra.Command{paramsCmd}
}

func runParamsSet(cmd *cobra.Command, args []string) error {
	m := &paramsv1.MsgSetParams{}
	for _, arg := range args[1:] {
		name, val, ok := strings.Cut(arg, "=")
		if !ok || name == "" {
			return fmt.Errorf("change %q: write NAME=VALUE, e.g. bank.min_fee=2000", arg)
		}
		v, err := strconv.ParseUint(val, 10, 64)
		if err != nil {
			return fmt.Errorf("change %q: value must be a non-negative integer", arg)
		}
		m.Changes = append(m.Changes, &paramsv1.Change{Name: name, Value: v})
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: params.TypeSet, Value: v})
}
