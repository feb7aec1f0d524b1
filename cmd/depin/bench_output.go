package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/bench"
)

// printBench writes a benchmark's report: a table headed by the load
// average before the run, or with --output json the bench.Result that
// `depin bench compare` (scripts/bench-compare) reads.
func printBench(cmd *cobra.Command, rep *bench.Report, loadBefore []float64) error {
	if outputJSON(cmd) {
		return rep.WriteJSON(cmd.OutOrStdout(), loadBefore)
	}
	bench.PrintLoad(cmd.OutOrStdout(), loadBefore)
	return rep.Print(cmd.OutOrStdout())
}

func benchCompareCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "compare OLD.json NEW.json",
		Short: "Compare two benchmark runs written with --output json and flag any ratio that lost more than 10%",
		Long: `compare reads two runs of the same benchmark (depin bench ... --output json) and
compares, row by row, each figure's ratio to its baseline measured in the same run, the only
figure that carries over between runs on a shared machine, and each figure in MiB (heap and
resident sizes, which load does not move). A row that lost more than --max-loss of its old
value (in the direction that is worse for it) is flagged and the command exits non-zero. It
is a review aid, not a timed test: run both on the same machine, at similar load.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			maxLoss, _ := cmd.Flags().GetFloat64("max-loss")
			var runs [2]bench.Result
			for i, path := range args {
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				runs[i], err = bench.ReadResult(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
			}
			diffs := bench.CompareResults(runs[0], runs[1], maxLoss)
			n, err := bench.PrintDiffs(cmd.OutOrStdout(), runs[0], runs[1], diffs, maxLoss)
			if err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("bench compare: %d of %d rows lost more than %.0f%%", n, len(diffs), maxLoss*100)
			}
			return nil
		},
	}
	c.Flags().Float64("max-loss", bench.DefaultMaxLoss, "largest share of a ratio a run may lose before it is flagged")
	return c
}
