package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/stake"
)

// stakeCluster is a four-validator testnet with staking and governance
// (depin testnet --staking --gov) run as child processes.
type stakeCluster struct {
	t     *testing.T
	bin   string
	dir   string
	nodes []*procNode
	addr  map[string]ledger.Address // acc0..acc5
}

// TestStakeCluster runs proof of stake on a live four-validator network:
// a delegation moves voting power and CometBFT's /validators follows; a
// governance proposal changes a parameter and pays a treasury spend; a
// validator stopped for longer than the signed-blocks window is jailed and
// leaves the set while the chain goes on, then unjails and returns; and a
// validator run twice with the same consensus key double-signs, and the
// evidence CometBFT hands the app slashes and tombstones it.
func TestStakeCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("runs five validator processes for about two minutes")
	}
	c := newStakeCluster(t)
	ns := c.nodes
	for _, n := range ns {
		n.launch()
	}
	for _, n := range ns {
		n.waitHeight(2, clusterStartWait)
	}
	// A stale copy of node 2's home, started later as its twin.
	twinHome := filepath.Join(c.dir, "node2-twin")
	if err := os.CopyFS(twinHome, os.DirFS(filepath.Join(c.dir, "node2"))); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config/node_key.json", "config/addrbook.json"} {
		os.Remove(filepath.Join(twinHome, f))
	}
	if _, err := p2p.LoadOrGenNodeKey(filepath.Join(twinHome, "config", "node_key.json")); err != nil {
		t.Fatal(err)
	}
	c.wantPowers(map[string]int64{"acc0": 10_000, "acc1": 10_000, "acc2": 10_000, "acc3": 10_000})

	// Governance: raise the minimum fee and pay 5 PIN from the treasury.
	before := c.balance("acc5")
	prop := filepath.Join(c.dir, "proposal.json")
	writeJSON(t, prop, map[string]any{"title": "raise the fee", "params": map[string]uint64{"bank.min_fee": 2000},
		"spend": []map[string]string{{"to": c.addr["acc5"].String(), "amount": "5pin"}}})
	c.tx("gov", "submit-proposal", "acc4", prop, "--deposit", "10pin")
	for _, v := range []string{"acc0", "acc1", "acc2"} {
		c.tx("gov", "vote", v, "1", "yes")
	}
	var p gov.ProposalView
	c.waitFor("proposal 1 to pass", 40*time.Second, func() bool {
		ns[0].query("/gov/proposals/1", &p)
		return p.Status == "passed"
	})
	var ps query.Params
	ns[0].query("/params", &ps)
	if fee, _ := ps.Value("bank.min_fee"); fee != 2000 {
		t.Fatalf("bank.min_fee %d after the proposal passed, want 2000", fee)
	}
	if got := c.balance("acc5") - before; got != 5_000_000 {
		t.Fatalf("treasury spend paid %d upin, want 5000000", got)
	}

	// Delegation moves voting power, and CometBFT follows.
	c.tx("stake", "delegate", "acc5", c.addr["acc1"].String(), "5000pin")
	c.wantPowers(map[string]int64{"acc0": 10_000, "acc1": 15_000, "acc2": 10_000, "acc3": 10_000})

	// Downtime: node 3 stops; after the window it is jailed, slashed 1% and
	// leaves the set; the others go on.
	ns[3].stop()
	c.wantPowers(map[string]int64{"acc0": 10_000, "acc1": 15_000, "acc2": 10_000})
	v3 := c.validator("acc3")
	if v3.Status != "jailed" || v3.Tokens != 9_900_000_000 {
		t.Fatalf("validator 3 is %s with %d upin, want jailed with 9900000000", v3.Status, v3.Tokens)
	}
	h := maxHeight(ns[:3]...)
	for _, n := range ns[:3] {
		n.waitHeight(h+5, clusterProgress)
	}
	ns[3].launch()
	ns[3].waitHeight(maxHeight(ns[:3]...), clusterStartWait)
	var last cliOut
	c.waitFor("the jail time to pass", 30*time.Second, func() bool {
		last = runDepin(t, c.bin, c.args("tx", "stake", "unjail", "acc3")...)
		if last.code != 0 {
			t.Logf("unjail: %s: %s %s", last, last.stdout, last.stderr)
		}
		return last.code == 0
	})
	c.wantPowers(map[string]int64{"acc0": 10_000, "acc1": 15_000, "acc2": 10_000, "acc3": 9_900})

	// Double signing: node 2 runs twice with the same key. Two processes
	// sign conflicting votes only when they see different blocks at the
	// same height and round, which loopback timing makes rare; if that has
	// not happened after 20 s, the test signs the conflicting prevotes
	// the twin would have signed and hands the evidence to CometBFT.
	twin := newProcNode(t, c.bin, twinHome)
	twin.launch()
	deadline := time.Now().Add(20 * time.Second)
	for !c.validator("acc2").Tombstoned && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
	}
	if twin.running() {
		twin.kill()
	} else {
		t.Logf("the twin exited: %v\n%s", twin.err, twin.out.Tail(15))
	}
	if !c.validator("acc2").Tombstoned {
		t.Log("the twin signed no conflicting vote in 20 s: broadcasting the double sign as evidence")
		if err := broadcastDoubleSign(ns[0].rpcURL(), filepath.Join(c.dir, "node2"), "stakecluster", ns[0].height()-2); err != nil {
			t.Fatal(err)
		}
	}
	c.waitFor("validator 2 to be tombstoned", 60*time.Second, func() bool {
		return c.validator("acc2").Tombstoned
	})
	v2 := c.validator("acc2")
	if !v2.Jailed || v2.Tokens != 9_500_000_000 {
		t.Fatalf("validator 2 after double signing: jailed %v, %d upin, want jailed with 9500000000 (5%% slashed)", v2.Jailed, v2.Tokens)
	}
	c.wantPowers(map[string]int64{"acc0": 10_000, "acc1": 15_000, "acc3": 9_900})
	if r := runDepin(t, c.bin, c.args("tx", "stake", "unjail", "acc2")...); r.code == 0 {
		t.Fatal("a tombstoned validator unjailed")
	}
	h = maxHeight(ns[0], ns[1], ns[3])
	for _, n := range []*procNode{ns[0], ns[1], ns[3]} {
		n.waitHeight(h+3, clusterProgress)
	}
	sameAppHash(t, ns[0], ns[1], ns[3])
	known := []ledger.Address{}
	for _, a := range c.addr {
		known = append(known, a)
	}
	checkSupplySum(t, ns[0], known)
}

func newStakeCluster(t *testing.T) *stakeCluster {
	t.Helper()
	c := &stakeCluster{t: t, bin: depinBinary(t), dir: filepath.Join(t.TempDir(), "testnet"), addr: map[string]ledger.Address{}}
	base := freeBasePort(t, clusterValidators)
	mustSucceed(t, runDepin(t, c.bin, "testnet", "--validators", "4", "--staking", "--gov", "--out", c.dir,
		"--base-port", fmt.Sprint(base), "--chain-id", "stakecluster", "--accounts", "6", "--block-time", "200ms"))
	kr, err := keyring.Open(keyring.Dir(c.dir), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		name := fmt.Sprintf("acc%d", i)
		info, err := kr.Show(name)
		if err != nil {
			t.Fatal(err)
		}
		c.addr[name] = info.Address
	}
	// Short windows so that the test sees downtime and governance end: a
	// window of 20 blocks, a 5 s jail, 8 s deposit and voting periods, and a
	// funded treasury.
	c.editGenesis(func(g *app.Genesis) {
		g.Params[stake.SignedBlocksWindow.Name] = 20
		g.Params[stake.DowntimeJailSeconds.Name] = 5
		g.Params[gov.VotingSeconds.Name] = 8
		g.Params[gov.DepositSeconds.Name] = 8
		g.Balances = append(g.Balances, app.GenesisBalance{Address: gov.Treasury.String(), Amount: 1_000_000_000})
	})
	for k := range 4 {
		p := base + 10*k
		c.nodes = append(c.nodes, newProcNodeAt(t, c.bin, filepath.Join(c.dir, fmt.Sprintf("node%d", k)), p, p+1, p+2))
	}
	return c
}

// editGenesis rewrites the app state of every home's genesis.
func (c *stakeCluster) editGenesis(edit func(*app.Genesis)) {
	t := c.t
	raw, err := os.ReadFile(filepath.Join(c.dir, "node0", "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	g, err := app.ParseGenesis(doc["app_state"])
	if err != nil {
		t.Fatal(err)
	}
	edit(g)
	if doc["app_state"], err = json.Marshal(g); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for k := range 4 {
		if err := os.WriteFile(filepath.Join(c.dir, fmt.Sprintf("node%d", k), "config", "genesis.json"), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// args completes a CLI command with the testnet's keyring and node 0 (which
// never stops).
func (c *stakeCluster) args(a ...string) []string {
	return append(a, "--home", c.dir, "--keyring-backend", "test", "--node", c.nodes[0].rpcURL())
}

func (c *stakeCluster) tx(a ...string) {
	c.t.Helper()
	mustSucceed(c.t, runDepin(c.t, c.bin, c.args(append([]string{"tx"}, a...)...)...))
}

func (c *stakeCluster) balance(name string) uint64 {
	var acc query.Account
	c.nodes[0].query("/accounts/"+c.addr[name].String(), &acc)
	return acc.Balance
}

func (c *stakeCluster) validator(name string) stake.ValidatorView {
	var v stake.ValidatorView
	c.nodes[0].query("/stake/validators/"+c.addr[name].String(), &v)
	return v
}

func (c *stakeCluster) waitFor(what string, timeout time.Duration, ok func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			c.t.Fatalf("waited %s for %s\n%s", timeout, what, c.nodes[0].out.Tail(20))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// wantPowers waits until CometBFT's /validators on node 0 lists exactly
// the validators operated by the named accounts with those powers.
func (c *stakeCluster) wantPowers(want map[string]int64) {
	c.t.Helper()
	names := map[string]string{}
	for name, a := range c.addr {
		names[a.String()] = name
	}
	var vs stake.ValidatorsView
	c.nodes[0].query("/stake/validators", &vs)
	byKey := map[string]string{}
	for _, v := range vs.Validators {
		byKey[v.ConsensusPubKey] = names[v.Operator]
	}
	var got map[string]int64
	c.waitFor(fmt.Sprintf("CometBFT's validator set %v", want), 60*time.Second, func() bool {
		got = c.cometPowers(byKey)
		if len(got) != len(want) {
			return false
		}
		for n, p := range want {
			if got[n] != p {
				return false
			}
		}
		return true
	})
}

// cometPowers reads /validators from node 0's CometBFT RPC, by operator.
func (c *stakeCluster) cometPowers(byKey map[string]string) map[string]int64 {
	body, code := c.nodes[0].httpGet(c.nodes[0].rpcURL() + "/validators?per_page=100")
	if code != 200 {
		return nil
	}
	var r struct {
		Result struct {
			Validators []struct {
				PubKey struct {
					Value string `json:"value"`
				} `json:"pub_key"`
				VotingPower string `json:"voting_power"`
			} `json:"validators"`
		} `json:"result"`
	}
	if json.Unmarshal(body, &r) != nil {
		return nil
	}
	out := map[string]int64{}
	for _, v := range r.Result.Validators {
		pk, _ := base64.StdEncoding.DecodeString(v.PubKey.Value)
		p, _ := strconv.ParseInt(v.VotingPower, 10, 64)
		out[byKey[hex.EncodeToString(pk)]] = p
	}
	return out
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
