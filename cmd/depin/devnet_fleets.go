package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/reward"
)

// A devnet fleet is one simulated part of the network that depin devnet
// runs beside its node: coverage hotspots, market participants, and one per
// network kind. A fleet is one entry in devnetFleets, defined in its own
// file (devnet_<name>.go); depin devnet --fleet picks them by name.
type devnetFleet struct {
	// name is what --fleet lists.
	name string
	// help says in one line what the fleet simulates (depin devnet --help).
	help string
	// flags adds the fleet's own flags to depin devnet (optional).
	flags func(c *cobra.Command)
	// genesis adds the fleet's keys (in the devnet's test keyring),
	// balances, params and reward pools on the devnet's first run
	// (optional; carveDevnetPool adds a pool).
	genesis func(kr *keyring.Keyring, g *app.Genesis) error
	// start runs the fleet beside the node, before or after it starts,
	// until ctx ends; stop ends it and waits for it. A fleet's failure is
	// logged; it does not stop the node.
	start func(ctx context.Context, env fleetEnv) (stop func(), err error)
}

// fleetEnv is what a fleet's start function gets.
type fleetEnv struct {
	cmd    *cobra.Command // depin devnet, for the fleet's flags
	node   *node.Node
	home   string
	out    io.Writer // the devnet's console: one line saying what the fleet does
	logger *slog.Logger
}

// devnetFleets are the fleets depin devnet can run, in start order.
var devnetFleets = []devnetFleet{
	coverageFleet,
	marketFleet,
	energyFleet,
	storageFleet,
	computeFleet,
	sensorFleet,
	mobileFleet,
}

// defaultFleets are the fleets of a devnet made without --fleet.
var defaultFleets = []string{"coverage", "market"}

// fleetsFile records, in the devnet home, the fleets its genesis was made
// for: a later run resumes them.
const fleetsFile = "devnet-fleets"

func addFleetFlags(c *cobra.Command) {
	var names []string
	for _, f := range devnetFleets {
		names = append(names, fmt.Sprintf("%s (%s)", f.name, f.help))
	}
	c.Flags().StringSlice("fleet", defaultFleets, "simulated fleets to run, comma-separated: "+strings.Join(names, "; "))
	for _, f := range devnetFleets {
		if f.flags != nil {
			f.flags(c)
		}
	}
}

// lookupFleets resolves fleet names, refusing unknown and repeated ones.
func lookupFleets(names []string) ([]devnetFleet, error) {
	var out []devnetFleet
	seen := map[string]bool{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		i := slices.IndexFunc(devnetFleets, func(f devnetFleet) bool { return f.name == name })
		if i < 0 {
			var known []string
			for _, f := range devnetFleets {
				known = append(known, f.name)
			}
			return nil, fmt.Errorf("devnet: no fleet %q (known: %s)", name, strings.Join(known, ", "))
		}
		out = append(out, devnetFleets[i])
	}
	// Start order is the list's, whatever order the flag gave.
	slices.SortStableFunc(out, func(a, b devnetFleet) int {
		return slices.IndexFunc(devnetFleets, func(f devnetFleet) bool { return f.name == a.name }) -
			slices.IndexFunc(devnetFleets, func(f devnetFleet) bool { return f.name == b.name })
	})
	return out, nil
}

// fleetNames lists fleets' names.
func fleetNames(fs []devnetFleet) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name)
	}
	return out
}

// writeFleets records the fleets a devnet home was initialised with.
func writeFleets(home string, fs []devnetFleet) error {
	return os.WriteFile(filepath.Join(home, fleetsFile), []byte(strings.Join(fleetNames(fs), ",")+"\n"), 0o644)
}

// readFleets reads the fleets a devnet home was initialised with; a home
// made before fleets were recorded ran the default ones.
func readFleets(home string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(home, fleetsFile))
	if errors.Is(err, os.ErrNotExist) {
		return defaultFleets, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSpace(string(b)), ","), nil
}

// resumeFleets picks the fleets of a devnet that is resumed: the recorded
// ones, or those --fleet names if each of them was set up in genesis (a
// fleet without a genesis hook runs on any devnet).
func resumeFleets(cmd *cobra.Command, home string) ([]devnetFleet, error) {
	recorded, err := readFleets(home)
	if err != nil {
		return nil, err
	}
	if !cmd.Flags().Changed("fleet") {
		return lookupFleets(recorded)
	}
	names, _ := cmd.Flags().GetStringSlice("fleet")
	fs, err := lookupFleets(names)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.genesis != nil && !slices.Contains(recorded, f.name) {
			return nil, fmt.Errorf("devnet: the devnet in %s was made with fleets %s, and fleet %q needs its own genesis: start a new devnet with --home DIR (or remove %s)",
				home, strings.Join(recorded, ","), f.name, home)
		}
	}
	return fs, nil
}

// carveDevnetPool adds a reward pool to a devnet genesis, taking its share
// from the first device pool of the genesis (the default pools when the
// genesis names none), so that the shares still sum to 100%.
func carveDevnetPool(g *app.Genesis, pool chain.GenesisPool) error {
	var rg chain.RewardGenesis
	if raw, ok := g.Modules["reward"]; ok {
		if err := json.Unmarshal(raw, &rg); err != nil {
			return fmt.Errorf("devnet: reward genesis: %w", err)
		}
	}
	if len(rg.Pools) == 0 {
		for _, p := range reward.DefaultPools() {
			rg.Pools = append(rg.Pools, chain.GenesisPool{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient.String(), Kind: p.Kind})
		}
	}
	i := slices.IndexFunc(rg.Pools, func(p chain.GenesisPool) bool {
		return p.Recipient == reward.RecipientDevices.String() && p.Bps > pool.Bps
	})
	if i < 0 {
		return fmt.Errorf("devnet: no device pool larger than %d bps to carve pool %q from", pool.Bps, pool.Name)
	}
	rg.Pools[i].Bps -= pool.Bps
	rg.Pools = append(rg.Pools, pool)
	raw, err := json.Marshal(rg)
	if err != nil {
		return err
	}
	if g.Modules == nil {
		g.Modules = map[string]json.RawMessage{}
	}
	g.Modules["reward"] = raw
	return nil
}
