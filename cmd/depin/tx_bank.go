package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxBankCmds builds the commands of this file; the root command adds them.
func newTxBankCmds() []*cobra.Command {
	bankCmd := &cobra.Command{Use: "bank", Short: "Send tokens"}
	send := &cobra.Command{
		Use:     "send FROM TO AMOUNT",
		Short:   "Send tokens from a key to an address or key name",
		Example: "  depin tx bank send alice pin1... 1.5pin\n  depin tx bank send alice bob 1000upin",
		Args:    cobra.ExactArgs(3),
		RunE:    runBankSend,
	}
	multi := &cobra.Command{
		Use:     "multi-send FROM TO:AMOUNT...",
		Short:   "Send tokens from a key to several recipients in one transaction",
		Example: "  depin tx bank multi-send alice bob:1pin pin1...:2500upin",
		Args:    cobra.MinimumNArgs(2),
		RunE:    runBankMultiSend,
	}
	bankCmd.AddCommand(send, multi)
	return []*cobra.Command{bankCmd}
}

func runBankSend(cmd *cobra.Command, args []string) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	to, err := resolveAddress(cmd, args[1])
	if err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	amount, err := denom.ParseAmount(args[2])
	if err != nil {
		return err
	}
	if amount == 0 {
		return fmt.Errorf("amount %q: must be positive", args[2])
	}
	v, err := proto.Marshal(&bankv1.MsgSend{To: to[:], Amount: amount})
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: bank.TypeSend, Value: v})
}

func runBankMultiSend(cmd *cobra.Command, args []string) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	m := &bankv1.MsgMultiSend{}
	for _, arg := range args[1:] {
		i := strings.LastIndexByte(arg, ':')
		if i <= 0 {
			return fmt.Errorf("output %q: write TO:AMOUNT, e.g. bob:1pin", arg)
		}
		to, err := resolveAddress(cmd, arg[:i])
		if err != nil {
			return fmt.Errorf("output %q: %w", arg, err)
		}
		amount, err := denom.ParseAmount(arg[i+1:])
		if err != nil {
			return fmt.Errorf("output %q: %w", arg, err)
		}
		if amount == 0 {
			return fmt.Errorf("output %q: amount must be positive", arg)
		}
		m.Outputs = append(m.Outputs, &bankv1.Output{To: to[:], Amount: amount})
	}
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: bank.TypeMultiSend, Value: v})
}
