package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/oracle"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// defaultOracle is the API address of a local node's oracle.
const defaultOracle = "http://127.0.0.1:26680"

// newRewardsCmds builds depin rewards (replay); the root command adds it.
func newRewardsCmds() []*cobra.Command {
	rw := &cobra.Command{Use: "rewards", Short: "Replay reward epochs from their published inputs"}
	replay := &cobra.Command{
		Use:   "replay --epoch N",
		Short: "Recompute an epoch from its published inputs and compare with the root settled on chain",
		Long: `replay fetches the epoch's inputs bundle and manifest from an oracle, its segments from ingest
(or the oracle's mirror), checks every segment and the bundle against the chain's commitments, re-runs
the scorer version the chain recorded and the reward engine, and compares manifest roots. It prints
"match", or the devices whose totals differ and the reports whose verdicts differ; a mismatch exits 1.`,
		Example: "  depin rewards replay --epoch 12 --node tcp://127.0.0.1:26657 --oracle http://127.0.0.1:26680",
		Args:    cobra.NoArgs,
		RunE:    runRewardsReplay,
	}
	replay.Flags().Uint64("epoch", 0, "the epoch to replay (the first, with --to)")
	replay.Flags().Uint64("to", 0, "replay every epoch from --epoch to this one, with a progress bar")
	_ = replay.MarkFlagRequired("epoch")
	replay.Flags().String("node", client.DefaultNode, "CometBFT RPC address of a node")
	replay.Flags().String("oracle", defaultOracle, "base URL of an oracle's API")
	replay.Flags().String("ingest", "", "base URL serving segments (default: the oracle's mirror)")
	replay.Flags().Duration("timeout", 10*time.Minute, "give up after this long")
	rw.AddCommand(replay)
	return []*cobra.Command{rw}
}

// newTxRewardsCmds builds depin tx rewards (claim); the tx command adds it.
func newTxRewardsCmds() []*cobra.Command {
	txRw := &cobra.Command{Use: "rewards", Short: "Claim rewards"}
	claim := &cobra.Command{
		Use:   "claim FROM DEVICE",
		Short: "Claim a device's rewards with a proof from an oracle (the owner is paid; FROM pays the fee)",
		Args:  cobra.ExactArgs(2),
		RunE:  runRewardsClaim,
	}
	claim.Flags().String("oracle", defaultOracle, "base URL of an oracle's API")
	txRw.AddCommand(claim)
	return []*cobra.Command{txRw}
}

func runRewardsReplay(cmd *cobra.Command, _ []string) error {
	epoch, _ := cmd.Flags().GetUint64("epoch")
	node, _ := cmd.Flags().GetString("node")
	oracleURL, _ := cmd.Flags().GetString("oracle")
	ingestURL, _ := cmd.Flags().GetString("ingest")
	timeout, _ := cmd.Flags().GetDuration("timeout")
	c, err := client.New(node)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if timeout > 0 {
		var cancel func()
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if to, _ := cmd.Flags().GetUint64("to"); cmd.Flags().Changed("to") {
		return replayRange(cmd, ctx, c, oracleURL, ingestURL, epoch, to)
	}
	res, err := score.Replay(ctx, &replay.RPCChain{Client: c}, replay.NewHTTPSource(oracleURL, ingestURL), chain.Kinds(), epoch, geo.H3{})
	if err != nil {
		var le *ledger.Error
		if errors.As(err, &le) {
			return fmt.Errorf("replay epoch %d: %s (%d): %s", epoch, le.Code, uint32(le.Code), le.Msg)
		}
		return err
	}
	if outputJSON(cmd) {
		if err := printJSON(cmd, res); err != nil {
			return err
		}
	} else {
		printReplay(cmd, res)
	}
	if !res.Match {
		return fmt.Errorf("epoch %d does not replay to the settled root", epoch)
	}
	return nil
}

// replayRange replays epochs from..to, one line per epoch, with a progress
// bar on a terminal; any epoch that fails or differs fails the command.
func replayRange(cmd *cobra.Command, ctx context.Context, c *client.Client, oracleURL, ingestURL string, from, to uint64) error {
	if to < from {
		return fmt.Errorf("replay: --to %d is before --epoch %d", to, from)
	}
	if to-from >= 10_000 {
		return fmt.Errorf("replay: %d epochs at once; replay at most 10000", to-from+1)
	}
	total := int(to - from + 1)
	bar := newProgress(cmd.ErrOrStderr(), total)
	var results []*score.ReplayResult
	var bad []string
	for n := from; n <= to; n++ {
		bar.step(int(n-from), fmt.Sprintf("epoch %d", n))
		res, err := score.Replay(ctx, &replay.RPCChain{Client: c}, replay.NewHTTPSource(oracleURL, ingestURL), chain.Kinds(), n, geo.H3{})
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%d (%v)", n, err))
			if !outputJSON(cmd) {
				bar.done()
				fmt.Fprintf(cmd.OutOrStdout(), "epoch %d: error: %v\n", n, err)
			}
			continue
		case !res.Match:
			bad = append(bad, fmt.Sprintf("%d (differs)", n))
		}
		results = append(results, res)
		if !outputJSON(cmd) {
			bar.done()
			verdict := "match"
			if !res.Match {
				verdict = "MISMATCH: settled " + res.ChainRoot + ", replayed " + res.ReplayRoot
			}
			fmt.Fprintf(cmd.OutOrStdout(), "epoch %d: %s (%d reports, root %s)\n", n, verdict, res.Summary.Reports, res.ReplayRoot)
		}
	}
	bar.done()
	if outputJSON(cmd) {
		if err := printJSON(cmd, results); err != nil {
			return err
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("replay: %d of %d epochs do not replay to their settled roots: %s (rerun one with depin rewards replay --epoch N for details)", len(bad), total, strings.Join(bad, ", "))
	}
	return nil
}

func printReplay(cmd *cobra.Command, res *score.ReplayResult) {
	w := cmd.OutOrStdout()
	inputs := "checked against the chain"
	if !res.InputsOnChain {
		inputs = "not recorded on chain; checked through emission, pools, segments and the root"
	}
	fmt.Fprintf(w, "epoch:          %d (scorer version %d, %d segments, %d reports)\n",
		res.Epoch, res.ScorerVersion, res.Segments, res.Summary.Reports)
	fmt.Fprintf(w, "inputs hash:    %s (%s)\n", res.InputsHash, inputs)
	fmt.Fprintf(w, "settled root:   %s\n", res.ChainRoot)
	fmt.Fprintf(w, "replayed root:  %s\n", res.ReplayRoot)
	if res.Match {
		fmt.Fprintln(w, "match")
		return
	}
	if res.PublishedRoot != "" {
		fmt.Fprintf(w, "published root: %s\n", res.PublishedRoot)
	}
	fmt.Fprintf(w, "MISMATCH: %d devices differ\n", len(res.Differences))
	for _, d := range res.Differences {
		fmt.Fprintf(w, "  %s  published %d  replayed %d\n", d.Device, d.Published, d.Replayed)
		for _, r := range d.Reports {
			fmt.Fprintf(w, "    %s %s  published %s (share %d)  replayed %s (share %d)  %s\n",
				r.Role, r.ID[:16], orDash(r.Published), r.PublishedShare, orDash(r.Replayed), r.ReplayedShare, r.Detail)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runRewardsClaim(cmd *cobra.Command, args []string) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	dev, err := resolveAddress(cmd, args[1])
	if err != nil {
		return fmt.Errorf("device: %w", err)
	}
	oracleURL, _ := cmd.Flags().GetString("oracle")
	p, err := replay.NewHTTPSource(oracleURL, "").Proof(cmd.Context(), dev)
	if err != nil {
		return err
	}
	b, err := proto.Marshal(oracle.ClaimMsg(dev, p))
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: reward.TypeClaim, Value: b})
}
