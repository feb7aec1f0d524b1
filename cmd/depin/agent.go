package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
)

// agentFile is the TOML file of `depin agent --config FILE`: the agent's
// Config inline, the log level and the simulated radio's placement.
type agentFile struct {
	acov.Config
	// LogLevel is debug, info, warn or error.
	LogLevel string `toml:"log_level"`
	// Sim places the simulated radio this command runs the device on.
	Sim simSection `toml:"sim"`
}

type simSection struct {
	acov.SimConfig
	LatE7          int64 `toml:"lat_e7"`
	LonE7          int64 `toml:"lon_e7"`
	GainDdBi       int32 `toml:"gain_ddbi"`
	ObstructionDdB int32 `toml:"obstruction_ddb"`
}

func defaultAgentFile() agentFile {
	return agentFile{Config: acov.DefaultConfig(), LogLevel: "info", Sim: simSection{SimConfig: acov.DefaultSimConfig()}}
}

// newAgentCmds builds the commands of this file; the root command adds them.
func newAgentCmds() []*cobra.Command {
	agentCmd := &cobra.Command{
		Use:   "agent --config FILE",
		Short: "Run one device: beacons, witnesses and heartbeats sent to ingest",
		Long: `Run one device with the agent SDK (package agent): it fetches the chain entropy from
ingest, beacons once per beacon_interval at a random offset, witnesses the beacons its
radio hears, sends a heartbeat every heartbeat_interval, and submits the signed reports
to ingest in batches, retrying when ingest is unreachable.

No radio hardware driver ships with depin: this command runs the device on the simulated
radio, alone in its medium. It therefore beacons and sends heartbeats but never hears a
beacon to witness. Device makers plug real hardware in by implementing agent.Radio; a
simulated fleet puts many agents in one shared acov.SimMedium so they hear each other.

Relative paths in the config file are relative to the file. Create a device key and a
config with 'depin agent init DIR', register the printed public key as a device on chain,
then run 'depin agent --config DIR/agent.toml'.`,
		Args: cobra.NoArgs,
		RunE: runAgent,
	}
	agentCmd.Flags().String("config", "", "the agent's TOML config file (required)")
	initAgent := &cobra.Command{
		Use:   "init DIR",
		Short: "Create a device key and an agent config in DIR",
		Args:  cobra.ExactArgs(1),
		RunE:  runAgentInit,
	}
	initAgent.Flags().String("ingest", agent.DefaultClientConfig().URL, "ingest service URL")
	initAgent.Flags().String("region", acov.RegionEU868.String(), "regional plan: EU868, US915 or AU915")
	initAgent.Flags().Uint64("cell", 0, "the device's H3 cell for heartbeats (e.g. 0x8c1f1d4a8c8a9ff)")
	agentCmd.AddCommand(initAgent)
	return []*cobra.Command{agentCmd}
}

// loadAgentFile reads the config file over the defaults and resolves its
// relative paths against the file's directory.
func loadAgentFile(path string) (agentFile, error) {
	f := defaultAgentFile()
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return f, fmt.Errorf("agent: load config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return f, fmt.Errorf("agent: load config %s: unknown keys %s", path, strings.Join(keys, ", "))
	}
	dir := filepath.Dir(path)
	for _, p := range []*string{&f.KeyFile, &f.StateFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	return f, nil
}

func parseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("agent: log_level %q: %w", s, err)
	}
	return l, nil
}

func runAgent(cmd *cobra.Command, _ []string) error {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		return errors.New("agent: --config FILE is required (create one with 'depin agent init DIR')")
	}
	f, err := loadAgentFile(path)
	if err != nil {
		return err
	}
	level, err := parseLogLevel(f.LogLevel)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	f.Logger = logger
	if err := f.Validate(); err != nil {
		return err
	}
	key, err := agent.LoadKey(f.KeyFile)
	if err != nil {
		return err
	}
	medium := acov.NewSimMedium(f.Sim.SimConfig, nil)
	radio, err := medium.Join(acov.SimPlacement{
		ID: key.Address().String(), LatE7: f.Sim.LatE7, LonE7: f.Sim.LonE7,
		GainDdBi: f.Sim.GainDdBi, ObstructionDdB: f.Sim.ObstructionDdB, Region: f.Region,
	})
	if err != nil {
		return err
	}
	client, err := agent.NewClient(f.Ingest, agent.ClientOptions{Logger: logger})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return acov.Run(ctx, f.Config, radio, client)
}

func runAgentInit(cmd *cobra.Command, args []string) error {
	dir := args[0]
	ingestURL, _ := cmd.Flags().GetString("ingest")
	regionName, _ := cmd.Flags().GetString("region")
	cell, _ := cmd.Flags().GetUint64("cell")
	region, err := acov.ParseRegion(regionName)
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "agent.toml")
	if _, err := os.Stat(cfgPath); err == nil {
		return fmt.Errorf("agent: init: %s already exists", cfgPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("agent: init: %w", err)
	}
	f := defaultAgentFile()
	f.Ingest.URL = ingestURL
	f.Region = region
	f.Cell = cell
	if cell == 0 {
		f.HeartbeatInterval = 0 // heartbeats need the cell
	}
	key, err := agent.GenerateKey()
	if err != nil {
		return err
	}
	if err := agent.SaveKey(filepath.Join(dir, f.KeyFile), "device", key); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# depin agent config; see 'depin agent --help'. Durations are Go durations (\"6h\").\n")
	if err := toml.NewEncoder(&b).Encode(f); err != nil {
		return fmt.Errorf("agent: init: encode config: %w", err)
	}
	if err := os.WriteFile(cfgPath, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("agent: init: %w", err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "config:     %s\n", cfgPath)
	fmt.Fprintf(out, "key file:   %s\n", filepath.Join(dir, f.KeyFile))
	fmt.Fprintf(out, "address:    %s\n", key.Address())
	fmt.Fprintf(out, "public key: %x\n", key.PubKey())
	if cell == 0 {
		fmt.Fprintln(out, "heartbeats are off until you set cell (the device's H3 cell) in the config")
	}
	return nil
}
