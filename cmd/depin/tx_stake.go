package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/stake"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxStakeCmds builds the commands of this file; the root command adds them.
func newTxStakeCmds() []*cobra.Command {
	stakeCmd := &cobra.Command{Use: "stake", Short: "Run a validator, delegate, undelegate, redelegate, withdraw rewards, unjail"}
	create := &cobra.Command{
		Use:   "create-validator KEY --pubkey CONSENSUS_KEY --amount AMOUNT",
		Short: "Make KEY the operator of a new validator with a self-bond of AMOUNT",
		Long: `create-validator registers a validator whose blocks are signed by the ed25519 consensus key
CONSENSUS_KEY (hex, base64, or the path of a CometBFT priv_validator_key.json such as
<home>/config/priv_validator_key.json). Commission rates are fractions (0.05 is 5%).`,
		Example: "  depin tx stake create-validator val1 --pubkey ~/.depin-val1/config/priv_validator_key.json --amount 100000pin --commission 0.05",
		Args:    cobra.ExactArgs(1),
		RunE:    runCreateValidator,
	}
	create.Flags().String("pubkey", "", "consensus public key: hex, base64, or a priv_validator_key.json path")
	create.Flags().String("amount", "", "self-bond, e.g. 100000pin")
	create.Flags().String("commission", "0.1", "commission rate")
	create.Flags().String("max-commission", "0.2", "highest commission rate the validator may ever set")
	create.Flags().String("max-change", "0.01", "largest change of the commission rate at once")
	create.Flags().String("moniker", "", "display name")
	edit := &cobra.Command{
		Use:     "edit-validator KEY",
		Short:   "Change the commission rate or moniker of KEY's validator",
		Example: "  depin tx stake edit-validator val1 --commission 0.06",
		Args:    cobra.ExactArgs(1),
		RunE:    runEditValidator,
	}
	edit.Flags().String("commission", "", "new commission rate")
	edit.Flags().String("moniker", "", "new display name")
	del := &cobra.Command{
		Use:     "delegate FROM VALIDATOR AMOUNT",
		Short:   "Bond AMOUNT of FROM's tokens to a validator (its operator address or key name)",
		Example: "  depin tx stake delegate alice pin1... 500pin",
		Args:    cobra.ExactArgs(3),
		RunE:    runStakeAmount(stake.TypeDelegate),
	}
	undel := &cobra.Command{
		Use:     "undelegate FROM VALIDATOR AMOUNT",
		Short:   "Start unbonding AMOUNT; it is paid out after stake.unbonding_seconds",
		Example: "  depin tx stake undelegate alice pin1... 200pin",
		Args:    cobra.ExactArgs(3),
		RunE:    runStakeAmount(stake.TypeUndelegate),
	}
	redel := &cobra.Command{
		Use:     "redelegate FROM SRC DST AMOUNT",
		Short:   "Move AMOUNT of FROM's delegation from validator SRC to validator DST at once",
		Example: "  depin tx stake redelegate alice pin1src... pin1dst... 100pin",
		Args:    cobra.ExactArgs(4),
		RunE:    runRedelegate,
	}
	withdraw := &cobra.Command{
		Use:     "withdraw-rewards FROM [VALIDATOR]",
		Short:   "Pay FROM its rewards from one validator, or from all (and an operator its commission)",
		Example: "  depin tx stake withdraw-rewards alice",
		Args:    cobra.RangeArgs(1, 2),
		RunE:    runWithdrawRewards,
	}
	unjail := &cobra.Command{
		Use:     "unjail KEY",
		Short:   "Return KEY's jailed validator to the candidates once its jail time is over",
		Example: "  depin tx stake unjail val1",
		Args:    cobra.ExactArgs(1),
		RunE:    runUnjail,
	}
	stakeCmd.AddCommand(create, edit, del, undel, redel, withdraw, unjail)
	return []*cobra.Command{stakeCmd}
}

// parseRate reads a fraction ("0.05") as basis points.
func parseRate(s string) (uint32, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 4 {
		return 0, fmt.Errorf("rate %q: at most 4 decimals (basis points)", s)
	}
	w, err := strconv.ParseUint(whole, 10, 8)
	if err != nil {
		return 0, fmt.Errorf("rate %q: not a fraction like 0.05", s)
	}
	f := uint64(0)
	if frac != "" {
		if f, err = strconv.ParseUint(frac+strings.Repeat("0", 4-len(frac)), 10, 32); err != nil {
			return 0, fmt.Errorf("rate %q: not a fraction like 0.05", s)
		}
	}
	bps := w*10_000 + f
	if bps > 10_000 {
		return 0, fmt.Errorf("rate %q: above 1", s)
	}
	return uint32(bps), nil
}

// parseConsensusKey reads an ed25519 public key in hex or base64, or from a
// CometBFT priv_validator_key.json.
func parseConsensusKey(s string) ([]byte, error) {
	if b, err := os.ReadFile(s); err == nil {
		var f struct {
			PubKey struct {
				Value string `json:"value"`
			} `json:"pub_key"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("consensus key file %s: %w", s, err)
		}
		s = f.PubKey.Value
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == stake.PubKeyLen {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == stake.PubKeyLen {
		return b, nil
	}
	return nil, fmt.Errorf("consensus key %q: want %d bytes in hex or base64, or a priv_validator_key.json", s, stake.PubKeyLen)
}

func sendMsg(cmd *cobra.Command, from, typ string, m proto.Message) error {
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

func runCreateValidator(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	pkArg, _ := f.GetString("pubkey")
	if pkArg == "" {
		return fmt.Errorf("give --pubkey")
	}
	pub, err := parseConsensusKey(pkArg)
	if err != nil {
		return err
	}
	m := &stakev1.MsgCreateValidator{PubKey: pub}
	for flag, dst := range map[string]*uint32{"commission": &m.CommissionBps, "max-commission": &m.MaxCommissionBps, "max-change": &m.MaxChangeBps} {
		s, _ := f.GetString(flag)
		if *dst, err = parseRate(s); err != nil {
			return fmt.Errorf("--%s: %w", flag, err)
		}
	}
	m.Moniker, _ = f.GetString("moniker")
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	amt, _ := f.GetString("amount")
	if m.Amount, err = denom.ParseAmount(amt); err != nil {
		return fmt.Errorf("--amount: %w", err)
	}
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: stake.TypeCreateValidator, Value: v})
}

func runEditValidator(cmd *cobra.Command, args []string) error {
	m := &stakev1.MsgEditValidator{}
	if s, _ := cmd.Flags().GetString("commission"); s != "" {
		bps, err := parseRate(s)
		if err != nil {
			return fmt.Errorf("--commission: %w", err)
		}
		m.SetCommission, m.CommissionBps = true, bps
	}
	if cmd.Flags().Changed("moniker") {
		m.SetMoniker = true
		m.Moniker, _ = cmd.Flags().GetString("moniker")
	}
	if !m.SetCommission && !m.SetMoniker {
		return fmt.Errorf("give --commission or --moniker")
	}
	return sendMsg(cmd, args[0], stake.TypeEditValidator, m)
}

func runStakeAmount(typ string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		val, err := resolveAddress(cmd, args[1])
		if err != nil {
			return fmt.Errorf("validator: %w", err)
		}
		c, denom, err := txSetup(cmd)
		if err != nil {
			return err
		}
		amt, err := denom.ParseAmount(args[2])
		if err != nil {
			return err
		}
		var m proto.Message = &stakev1.MsgDelegate{Validator: val[:], Amount: amt}
		if typ == stake.TypeUndelegate {
			m = &stakev1.MsgUndelegate{Validator: val[:], Amount: amt}
		}
		v, err := proto.Marshal(m)
		if err != nil {
			return err
		}
		return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: typ, Value: v})
	}
}

func runRedelegate(cmd *cobra.Command, args []string) error {
	src, err := resolveAddress(cmd, args[1])
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	dst, err := resolveAddress(cmd, args[2])
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	amt, err := denom.ParseAmount(args[3])
	if err != nil {
		return err
	}
	v, err := proto.Marshal(&stakev1.MsgRedelegate{Src: src[:], Dst: dst[:], Amount: amt})
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: stake.TypeRedelegate, Value: v})
}

func runWithdrawRewards(cmd *cobra.Command, args []string) error {
	m := &stakev1.MsgWithdrawRewards{}
	if len(args) == 2 {
		val, err := resolveAddress(cmd, args[1])
		if err != nil {
			return fmt.Errorf("validator: %w", err)
		}
		m.Validator = val[:]
	}
	return sendMsg(cmd, args[0], stake.TypeWithdrawRewards, m)
}

func runUnjail(cmd *cobra.Command, args []string) error {
	return sendMsg(cmd, args[0], stake.TypeUnjail, &stakev1.MsgUnjail{})
}
