package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/bench"
)

// newBenchCmds builds the commands of this file; the root command adds them.
func newBenchCmds() []*cobra.Command {
	c := &cobra.Command{
		Use:   "bench",
		Short: "Run the benchmarks of DESIGN §4 and print each figure against its baseline",
		Long: `bench runs one benchmark in this process and prints a table: the figure, the baseline
measured in the same run on the same machine, and their ratio. BENCHMARKS.md explains each
figure and the commands that reproduce the published numbers.`,
	}
	c.AddCommand(benchLedgerCmd(), benchIngestCmd(), benchEpochCmd(), benchMemoryCmd(), benchMarketCmd(), benchIndexerCmd(), benchStorageCmd(), benchEnergyCmd(), benchCompareCmd())
	c.PersistentFlags().String("cpuprofile", "", "write a CPU profile of the whole run (load generator included) to this file")
	c.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		path, _ := cmd.Flags().GetString("cpuprofile")
		if path == "" {
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("bench: cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("bench: cpu profile: %w", err)
		}
		cmd.PostRunE = func(*cobra.Command, []string) error {
			pprof.StopCPUProfile()
			return f.Close()
		}
		return nil
	}
	return []*cobra.Command{c}
}

func benchLedgerCmd() *cobra.Command {
	d := bench.DefaultLedgerConfig()
	c := &cobra.Command{
		Use:   "ledger",
		Short: "Signed transfers committed per second via RPC, against CometBFT's kvstore",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			cfg.Txs, _ = cmd.Flags().GetInt("n")
			cfg.Senders, _ = cmd.Flags().GetInt("senders")
			cfg.Workers, _ = cmd.Flags().GetInt("workers")
			cfg.BlockTime, _ = cmd.Flags().GetDuration("block-time")
			cfg.Validators, _ = cmd.Flags().GetIntSlice("validators")
			cfg.Pairs, _ = cmd.Flags().GetInt("pairs")
			cfg.SerialCheckTx, _ = cmd.Flags().GetBool("serial-checktx")
			cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
			if cfg.Senders <= 0 {
				cfg.Senders = cfg.Txs
			}
			bar := newProgress(cmd.ErrOrStderr(), 0)
			cfg.Progress = func(done, total int, run string) {
				bar.total = total
				bar.step(done, run)
			}
			rep, _, err := bench.RunLedger(cmd.Context(), cfg)
			bar.done()
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	f := c.Flags()
	f.Int("n", d.Txs, "signed transfers per run")
	f.Int("senders", 0, "funded accounts signing them round robin (0: one account per transfer)")
	f.Int("workers", d.Workers, "concurrent RPC clients")
	f.Duration("block-time", d.BlockTime, "timeout_commit of every node")
	f.IntSlice("validators", d.Validators, "network sizes to run")
	f.Int("pairs", d.Pairs, "kvstore and depin runs per network size, alternated; rows report the pair with the median ratio")
	f.Bool("serial-checktx", d.SerialCheckTx, "add a one-validator run with CheckTx serialized (the wiring before concurrent CheckTx)")
	return c
}

func benchIngestCmd() *cobra.Command {
	d := bench.DefaultIngestConfig()
	c := &cobra.Command{
		Use:   "ingest",
		Short: "Signed reports durably acknowledged per second, against raw batch verification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			cfg.Reports, _ = cmd.Flags().GetInt("n")
			cfg.Devices, _ = cmd.Flags().GetInt("devices")
			cfg.Batch, _ = cmd.Flags().GetInt("batch")
			cfg.Workers, _ = cmd.Flags().GetInt("workers")
			cfg.Sync, _ = cmd.Flags().GetString("sync")
			rep, _, err := bench.RunIngest(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	f := c.Flags()
	f.Int("n", d.Reports, "signed reports")
	f.Int("devices", d.Devices, "devices signing them")
	f.Int("batch", d.Batch, "reports per SubmitBatch request")
	f.Int("workers", d.Workers, "concurrent clients (0: 2×GOMAXPROCS)")
	f.String("sync", d.Sync, "ingest fsync policy: batch, always or interval")
	return c
}

func benchEpochCmd() *cobra.Command {
	d := bench.DefaultEpochConfig()
	c := &cobra.Command{
		Use:   "epoch",
		Short: "Coverage scoring plus reward computation at fleet sizes 10× apart",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			cfg.Sizes, _ = cmd.Flags().GetIntSlice("devices")
			cfg.Witnesses, _ = cmd.Flags().GetInt("witnesses")
			cfg.Repeat, _ = cmd.Flags().GetInt("repeat")
			if big, _ := cmd.Flags().GetBool("1m"); big {
				cfg.Sizes = append(cfg.Sizes, 1_000_000)
			}
			capMiB, _ := cmd.Flags().GetInt64("memory-limit-cap")
			cfg.MemoryLimitCap = capMiB << 20
			if oracle, _ := cmd.Flags().GetBool("oracle"); oracle {
				rep, _, err := bench.RunOracleEpochs(cfg)
				if err != nil {
					return err
				}
				return printBench(cmd, rep, load)
			}
			rep, _, err := bench.RunEpoch(cfg)
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	f := c.Flags()
	f.IntSlice("devices", d.Sizes, "fleet sizes, each 10× the previous for the scaling ratio")
	f.Int("witnesses", d.Witnesses, "witnesses per beacon")
	f.Int("repeat", d.Repeat, "runs per size; the fastest is kept")
	f.Bool("1m", false, "add a run at 1,000,000 devices (10M witness reports, several GiB)")
	f.Bool("oracle", false, "run the oracle's path instead: signed segments verified, decoded and scored by score.Run, explanations encoded (once per size; signing the epoch first takes a while)")
	f.Int64("memory-limit-cap", d.MemoryLimitCap>>20, "MiB: score each size under a soft memory limit of twice its estimated live heap, at most this (0: no limit; GOMEMLIMIT, if set, wins)")
	return c
}

func benchMemoryCmd() *cobra.Command {
	d := bench.DefaultMemoryConfig()
	c := &cobra.Command{
		Use:   "memory",
		Short: "Resident memory of a running node with many registered devices",
		Long: `memory starts a one-validator node in this process whose genesis onboards --devices
coverage devices with asserted locations, lets it commit blocks, and reports the process's
resident memory (VmRSS) and its peak (VmHWM, genesis included). Run it alone: the figure is
the whole process.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			cfg.Devices, _ = cmd.Flags().GetInt("devices")
			cfg.Blocks, _ = cmd.Flags().GetInt("blocks")
			cfg.HeapProfile, _ = cmd.Flags().GetString("memprofile")
			rep, _, err := bench.RunMemory(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	f := c.Flags()
	f.Int("devices", d.Devices, "devices registered in genesis")
	f.Int("blocks", d.Blocks, "blocks to commit before measuring")
	f.String("memprofile", "", "write a heap profile of the running node to this file")
	return c
}

func benchMarketCmd() *cobra.Command {
	d := bench.DefaultMarketConfig()
	c := &cobra.Command{
		Use:   "market",
		Short: "End-block sweep time with 10k and 100k open leases, a fixed number due per block",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			cfg.Sizes, _ = cmd.Flags().GetIntSlice("leases")
			cfg.Due, _ = cmd.Flags().GetInt("due")
			cfg.Blocks, _ = cmd.Flags().GetInt("blocks")
			rep, _, err := bench.RunMarket(cfg)
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	f := c.Flags()
	f.IntSlice("leases", d.Sizes, "open leases per run; the first is the baseline")
	f.Int("due", d.Due, "leases due in every block")
	f.Int("blocks", d.Blocks, "measured blocks per run")
	return c
}

func benchIndexerCmd() *cobra.Command {
	d := bench.DefaultIndexerConfig()
	c := &cobra.Command{
		Use:   "indexer",
		Short: "Indexer catch-up rate and explorer page latency over a long chain with many devices",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			cfg.Devices, _ = cmd.Flags().GetInt("devices")
			cfg.Blocks, _ = cmd.Flags().GetInt("blocks")
			cfg.Requests, _ = cmd.Flags().GetInt("requests")
			cfg.BlockTime = devnetBlockTime
			rep, err := bench.RunIndexer(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	c.Flags().Int("devices", d.Devices, "devices onboarded and located")
	c.Flags().Int("blocks", d.Blocks, "blocks in the chain")
	c.Flags().Int("requests", d.Requests, "requests per page for the percentiles")
	return c
}

func benchStorageCmd() *cobra.Command {
	d := bench.DefaultStorageConfig()
	c := &cobra.Command{
		Use:   "storage",
		Short: "Put and get throughput of a file over loopback against a plain HTTP copy, and proof checks per second",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := bench.LoadAverage()
			cfg := d
			mib, _ := cmd.Flags().GetInt64("mib")
			cfg.Size = mib << 20
			cfg.Proofs, _ = cmd.Flags().GetInt("proofs")
			cfg.Reps, _ = cmd.Flags().GetInt("reps")
			cfg.Dir, _ = cmd.Flags().GetString("dir")
			rep, err := bench.RunStorage(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			return printBench(cmd, rep, load)
		},
	}
	f := c.Flags()
	f.Int64("mib", d.Size>>20, "file size in MiB")
	f.Int("proofs", d.Proofs, "proofs checked")
	f.Int("reps", d.Reps, "runs of put, get and their baselines, interleaved; the report gives medians")
	f.String("dir", "", "directory for the temporary files (default: the system's)")
	return c
}
