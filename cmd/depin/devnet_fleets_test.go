package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/reward"
)

func TestLookupFleets(t *testing.T) {
	fs, err := lookupFleets([]string{"market", " coverage", "market", ""})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(fleetNames(fs), ","); got != "coverage,market" {
		t.Fatalf("fleets %q, want the list's order without repeats", got)
	}
	if _, err := lookupFleets([]string{"coverage", "warp-drive"}); err == nil || !strings.Contains(err.Error(), `no fleet "warp-drive"`) || !strings.Contains(err.Error(), "coverage") {
		t.Fatalf("unknown fleet: err %v, want one naming it and the known fleets", err)
	}
}

func TestCarveDevnetPool(t *testing.T) {
	var g app.Genesis
	sum := func() (total uint64) {
		var rg chain.RewardGenesis
		if err := json.Unmarshal(g.Modules["reward"], &rg); err != nil {
			t.Fatal(err)
		}
		for _, p := range rg.Pools {
			total += uint64(p.Bps)
		}
		return total
	}
	if err := carveDevnetPool(&g, chain.GenesisPool{Name: "usage", Bps: 2000, Recipient: reward.RecipientUsage.String()}); err != nil {
		t.Fatal(err)
	}
	if err := carveDevnetPool(&g, chain.GenesisPool{Name: "toy", Bps: 1000, Recipient: reward.RecipientDevices.String(), Kind: "toy"}); err != nil {
		t.Fatal(err)
	}
	if got := sum(); got != 10_000 {
		t.Fatalf("pools sum to %d bps after carving, want 10000", got)
	}
	if err := carveDevnetPool(&g, chain.GenesisPool{Name: "huge", Bps: 10_000, Recipient: reward.RecipientUsage.String()}); err == nil {
		t.Fatal("a pool larger than every device pool was carved")
	}
}

// TestResumeFleets: a resumed devnet runs the fleets it was made with, and
// refuses a fleet whose genesis it lacks.
func TestResumeFleets(t *testing.T) {
	home := t.TempDir()
	if err := initDevnetWith(home, io.Discard, devnetOptions{fleets: []string{"coverage"}}); err != nil {
		t.Fatal(err)
	}
	if !node.Initialized(home) {
		t.Fatal("devnet not initialised")
	}
	b, err := os.ReadFile(filepath.Join(home, fleetsFile))
	if err != nil || strings.TrimSpace(string(b)) != "coverage" {
		t.Fatalf("recorded fleets %q (%v), want coverage", b, err)
	}
	devnet := func(args ...string) ([]devnetFleet, error) {
		root := newRootCmd()
		c, _, err := root.Find([]string{"devnet"})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		return resumeFleets(c, home)
	}
	fs, err := devnet()
	if err != nil || strings.Join(fleetNames(fs), ",") != "coverage" {
		t.Fatalf("resume without --fleet: %v %v, want coverage", fleetNames(fs), err)
	}
	if _, err := devnet("--fleet", "coverage,market"); err == nil || !strings.Contains(err.Error(), `fleet "market" needs its own genesis`) {
		t.Fatalf("resume with a fleet missing from genesis: err %v", err)
	}
}

// TestRootCmdFresh: every command tree is new, so a flag set in one run
// does not leak into the next.
func TestRootCmdFresh(t *testing.T) {
	a := newRootCmd()
	if err := a.PersistentFlags().Set("output", "json"); err != nil {
		t.Fatal(err)
	}
	b := newRootCmd()
	if got := b.PersistentFlags().Lookup("output").Value.String(); got != "text" {
		t.Fatalf("a new tree's --output is %q, want the default text", got)
	}
	for _, path := range [][]string{{"tx", "market", "create-provider"}, {"query", "stake"}, {"devnet"}, {"keys", "add"}} {
		c, _, err := b.Find(path)
		if err != nil || c.Name() != path[len(path)-1] {
			t.Fatalf("depin %s: not found (%v)", strings.Join(path, " "), err)
		}
	}
}
