package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/tokensim"
)

// newSimCmd builds `depin sim`: the tokenomics simulator over the chain's
// own code (internal/tokensim, docs/tokenomics.md).
func newSimCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sim SCENARIO.toml",
		Short: "Simulate a network's tokenomics over years with the chain's own reward, burn and market code",
		Long: `sim runs a scenario (sims/*.toml) day by day on an in-memory chain: every emission, pool,
burn, re-mint, take and staking reward is computed by the chain's modules, and an economic
model of providers, consumers, holders and the token price decides what they do. It writes
<out>/<name>.csv with every series, SVG plots and summary.txt.

  depin sim sims/bootstrap.toml --out out/
  depin sim sims/bootstrap.toml --param reward.emission_initial=136986000000 --out out/half
  depin sim sims/bootstrap.toml --from-node http://127.0.0.1:1317 --out out/live
  depin sim compare sims/bootstrap.toml sims/halving.toml --out out/cmp
  depin sim sweep sims/bootstrap.toml --param credit.remint_bps=0,5000,10000`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if id, _ := cmd.Flags().GetUint64("proposal"); id > 0 {
				return simProposal(cmd, args[0], id)
			}
			s, err := loadSimScenario(cmd, args[0], 0)
			if err != nil {
				return err
			}
			res, err := runSim(cmd, s)
			if err != nil {
				return err
			}
			out, _ := cmd.Flags().GetString("out")
			files, err := tokensim.WriteRun(out, res)
			if err != nil {
				return err
			}
			if err := tokensim.WriteTable(cmd.OutOrStdout(), []tokensim.Summary{tokensim.Summarize(res)}); err != nil {
				return err
			}
			for _, p := range res.Proposals {
				fmt.Fprintf(cmd.OutOrStdout(), "proposal %d on day %d, %q: %s\n", p.ID, p.Day, p.Title, p.Status)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s in %s\n", strings.Join(files, ", "), out)
			return nil
		},
	}
	addSimFlags(c)
	c.Flags().String("from-node", "", "start from a running node's parameters, pools, supply and validators (its JSON API URL)")
	c.Flags().Float64("node-epochs-per-day", 0, "with --from-node: the node's reward epochs per day (0: measured from its last two epochs)")
	c.Flags().Duration("node-block-time", 0, "with --from-node: the node's block interval, to derive epochs per day from epoch.blocks instead")
	c.Flags().Uint64("proposal", 0, "with --from-node: evaluate this pending proposal: run with and without it and compare")
	c.AddCommand(simCompareCmd(), simSweepCmd())
	return c
}

func addSimFlags(c *cobra.Command) {
	c.Flags().String("out", "out", "directory for the CSV, plots and summary")
	c.Flags().StringArray("param", nil, "override a value: a chain parameter (reward.emission_initial=...) or a model field (price.volatility=...); repeatable")
	c.Flags().Int("days", 0, "override the scenario's number of days")
}

// loadSimScenario reads a scenario and applies --param, --days and
// --from-node.
func loadSimScenario(cmd *cobra.Command, path string, proposal uint64) (*tokensim.Scenario, error) {
	s, err := tokensim.LoadScenario(path)
	if err != nil {
		return nil, err
	}
	if f := cmd.Flags().Lookup("from-node"); f != nil && f.Value.String() != "" {
		epd, _ := cmd.Flags().GetFloat64("node-epochs-per-day")
		bt, _ := cmd.Flags().GetDuration("node-block-time")
		o := tokensim.NodeOptions{EpochsPerDay: epd, BlockTime: bt, Proposal: proposal}
		if err := tokensim.FromNode(cmd.Context(), s, f.Value.String(), o); err != nil {
			return nil, err
		}
	} else if proposal > 0 {
		return nil, fmt.Errorf("sim: --proposal needs --from-node")
	}
	if err := applySimOverrides(cmd, s); err != nil {
		return nil, err
	}
	return s, nil
}

func applySimOverrides(cmd *cobra.Command, s *tokensim.Scenario) error {
	sets, _ := cmd.Flags().GetStringArray("param")
	for _, a := range sets {
		name, value, err := tokensim.ParseAssignment(a)
		if err != nil {
			return err
		}
		if err := s.Set(name, value); err != nil {
			return err
		}
	}
	if d, _ := cmd.Flags().GetInt("days"); d > 0 {
		s.Days = d
	}
	return s.Validate()
}

// runSim runs one scenario with a progress bar on a terminal.
func runSim(cmd *cobra.Command, s *tokensim.Scenario) (*tokensim.Result, error) {
	p := newProgress(cmd.ErrOrStderr(), s.Days)
	defer p.done()
	return tokensim.Run(cmd.Context(), s, func(day, days int) {
		if day%30 == 0 || day == days {
			p.step(day, s.Name)
		}
	})
}

// simProposal runs a live network's scenario without and with a pending
// proposal and compares the two.
func simProposal(cmd *cobra.Command, path string, id uint64) error {
	out, _ := cmd.Flags().GetString("out")
	var runs []*tokensim.Result
	var sums []tokensim.Summary
	for _, p := range []uint64{0, id} {
		s, err := loadSimScenario(cmd, path, p)
		if err != nil {
			return err
		}
		if p > 0 {
			s.Name = fmt.Sprintf("%s+proposal-%d", s.Name, p)
		}
		res, err := runSim(cmd, s)
		if err != nil {
			return err
		}
		if _, err := tokensim.WriteRun(filepath.Join(out, s.Name), res); err != nil {
			return err
		}
		runs = append(runs, res)
		sums = append(sums, tokensim.Summarize(res))
	}
	plots, err := tokensim.WritePlots(out, runs...)
	if err != nil {
		return err
	}
	if err := writeSimTable(cmd, filepath.Join(out, "compare.txt"), sums); err != nil {
		return err
	}
	for _, p := range runs[1].Proposals {
		fmt.Fprintf(cmd.OutOrStdout(), "proposal on day %d, %q: %s in the simulation\n", p.Day, p.Title, p.Status)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote compare.txt, %s in %s\n", strings.Join(plots, ", "), out)
	return nil
}

func simCompareCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "compare A.toml B.toml",
		Short: "Run two scenarios and overlay their plots",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, _ := cmd.Flags().GetString("out")
			var runs []*tokensim.Result
			var sums []tokensim.Summary
			for _, path := range args {
				s, err := tokensim.LoadScenario(path)
				if err != nil {
					return err
				}
				if err := applySimOverrides(cmd, s); err != nil {
					return err
				}
				res, err := runSim(cmd, s)
				if err != nil {
					return err
				}
				if _, err := tokensim.WriteRun(filepath.Join(out, s.Name), res); err != nil {
					return err
				}
				runs = append(runs, res)
				sums = append(sums, tokensim.Summarize(res))
			}
			if runs[0].Scenario.Name == runs[1].Scenario.Name {
				runs[1].Scenario.Name += " (2)"
			}
			plots, err := tokensim.WritePlots(out, runs...)
			if err != nil {
				return err
			}
			if err := writeSimTable(cmd, filepath.Join(out, "compare.txt"), sums); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote compare.txt, %s in %s\n", strings.Join(plots, ", "), out)
			return nil
		},
	}
	addSimFlags(c)
	return c
}

func simSweepCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sweep SCENARIO.toml --param NAME=V1,V2,...",
		Short: "Run a scenario for each value of one parameter and tabulate the outcomes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := tokensim.LoadScenario(args[0])
			if err != nil {
				return err
			}
			if d, _ := cmd.Flags().GetInt("days"); d > 0 {
				s.Days = d
			}
			sweep, _ := cmd.Flags().GetString("param")
			name, list, err := tokensim.ParseAssignment(sweep)
			if err != nil {
				return fmt.Errorf("sim sweep: --param: %w", err)
			}
			values := strings.Split(list, ",")
			p := newProgress(cmd.ErrOrStderr(), len(values)*s.Days)
			points, err := tokensim.Sweep(cmd.Context(), s, name, values, func(run, runs, day, days int) {
				if day%30 == 0 || day == days {
					p.step(run*days+day, fmt.Sprintf("%s=%s", name, values[run]))
				}
			})
			p.done()
			if err != nil {
				return err
			}
			out, _ := cmd.Flags().GetString("out")
			sums := make([]tokensim.Summary, len(points))
			runs := make([]*tokensim.Result, len(points))
			for i, pt := range points {
				sums[i], runs[i] = tokensim.Summarize(pt.Result), pt.Result
			}
			if _, err := tokensim.WritePlots(out, runs...); err != nil {
				return err
			}
			return writeSimTable(cmd, filepath.Join(out, "sweep.txt"), sums)
		},
	}
	c.Flags().String("param", "", "the parameter and its values: NAME=V1,V2,...")
	c.Flags().String("out", "out", "directory for the table and the overlaid plots")
	c.Flags().Int("days", 0, "override the scenario's number of days")
	_ = c.MarkFlagRequired("param")
	return c
}

// writeSimTable prints a summary table and writes it to path.
func writeSimTable(cmd *cobra.Command, path string, sums []tokensim.Summary) error {
	var b strings.Builder
	if err := tokensim.WriteTable(&b, sums); err != nil {
		return err
	}
	fmt.Fprint(cmd.OutOrStdout(), b.String())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
