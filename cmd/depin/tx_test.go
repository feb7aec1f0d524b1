package main

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"encoding/hex"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
)

const cliChain = "depin-cli-test"

// cliNode is a chain behind an RPC shim, a home with a test keyring holding
// the keys of the chain's funded accounts, and helpers to run commands.
type cliNode struct {
	t     *testing.T
	chain *clienttest.Chain
	home  string
	url   string
}

func newCLINode(t *testing.T) *cliNode {
	t.Helper()
	t.Setenv(keyring.EnvPassphrase, "")
	chain, err := clienttest.NewChain(cliChain, clienttest.Genesis("authority", 1_000_000_000, "alice", "bob"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(chain)
	t.Cleanup(srv.Close)
	home := t.TempDir()
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"authority", "alice", "bob", "maker", "dev1"} {
		seed := make([]byte, 32)
		copy(seed, name) // the seed clienttest.Key derives
		if _, err := kr.AddFromSeed(name, seed); err != nil {
			t.Fatal(err)
		}
	}
	return &cliNode{t: t, chain: chain, home: home, url: srv.URL}
}

// run runs depin with --node and the test keyring.
func (n *cliNode) run(args ...string) (string, error) {
	n.t.Helper()
	args = append(args, "--keyring-backend", "test")
	if args[0] == "tx" || args[0] == "query" || (args[0] == "device" && args[1] == "bind") {
		args = append(args, "--node", n.url)
	}
	out, errOut, err := cliRun(n.t, n.home, "", args...)
	if err != nil && errOut != "" {
		n.t.Logf("stderr: %s", errOut)
	}
	return out, err
}

func (n *cliNode) ok(args ...string) string {
	n.t.Helper()
	out, err := n.run(args...)
	if err != nil {
		n.t.Fatalf("depin %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (n *cliNode) balance(label string) uint64 {
	return bank.Balance(n.chain.App().Committed(), clienttest.Addr(label))
}

func TestCLIBank(t *testing.T) {
	n := newCLINode(t)
	alice0, bob0 := n.balance("alice"), n.balance("bob")
	out := n.ok("tx", "bank", "send", "alice", "bob", "1.5pin")
	h, _ := n.chain.App().LastCommit()
	for _, want := range []string{"code:   0 (ok)", "hash:   ", "event:  bank.transfer", "amount=1500000"} {
		if !strings.Contains(out, want) {
			t.Errorf("send output %q lacks %q", out, want)
		}
	}
	if !strings.Contains(out, "height: "+itoa(h)+"\n") {
		t.Errorf("send output %q: want height %d", out, h)
	}
	if got, want := n.balance("bob"), bob0+1_500_000; got != want {
		t.Errorf("bob: got %d, want %d", got, want)
	}
	if got, want := n.balance("alice"), alice0-1_500_000-bank.MinFee.Default; got != want {
		t.Errorf("alice: got %d, want %d (amount and default fee)", got, want)
	}
	// JSON output, an address as recipient, an explicit fee.
	bobAddr := clienttest.Addr("bob").String()
	out = n.ok("tx", "bank", "send", "alice", bobAddr, "250upin", "--fee", "0.002pin", "-o", "json")
	var res client.TxResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Code != 0 || res.Status != "ok" || res.Height == 0 {
		t.Fatalf("send json: got %+v %v from %q", res, err, out)
	}
	if !hasAttr(res.Events, "tx", "fee", "2000") {
		t.Errorf("send json: got events %+v, want fee 2000", res.Events)
	}
	// multi-send to a key name and an address.
	n.ok("tx", "bank", "multi-send", "alice", "bob:1pin", clienttest.Addr("carol").String()+":7upin")
	if got := bank.Balance(n.chain.App().Committed(), clienttest.Addr("carol")); got != 7 {
		t.Errorf("carol: got %d, want 7", got)
	}
	// Rejections: one readable error line, non-zero exit (an error).
	failures := []struct {
		args []string
		want string
	}{
		{[]string{"tx", "bank", "send", "alice", "bob", "5000pin"}, "tx rejected: insufficient_funds (6): "},
		{[]string{"tx", "bank", "send", "alice", "bob", "1.0000001pin"}, "more than 6 decimal places"},
		{[]string{"tx", "bank", "send", "alice", "bob", "1000"}, "no unit"},
		{[]string{"tx", "bank", "send", "alice", "bob", "0upin"}, "must be positive"},
		{[]string{"tx", "bank", "send", "alice", "nobody", "1pin"}, "no such key"},
		{[]string{"tx", "bank", "send", "nobody", "bob", "1pin"}, "no such key"},
		{[]string{"tx", "bank", "send", "alice", "bob", "1pin", "--fee", "1upin"}, "tx rejected: fee_too_low (7)"},
		{[]string{"tx", "bank", "multi-send", "alice", "bob"}, "TO:AMOUNT"},
	}
	for _, f := range failures {
		_, err := n.run(f.args...)
		if err == nil || !strings.Contains(err.Error(), f.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", strings.Join(f.args, " "), err, f.want)
		}
	}
}

func TestCLIParams(t *testing.T) {
	n := newCLINode(t)
	n.ok("tx", "params", "set", "authority", "bank.min_fee=2000", "device.assert_fee=5")
	var ps query.Params
	if err := json.Unmarshal([]byte(n.ok("query", "params", "-o", "json")), &ps); err != nil {
		t.Fatal(err)
	}
	if v, _ := ps.Value(bank.MinFee.Name); v != 2000 {
		t.Errorf("bank.min_fee: got %d, want 2000", v)
	}
	text := n.ok("query", "params")
	if !strings.Contains(text, "device.assert_fee") || !strings.Contains(text, "authority:") {
		t.Errorf("params text: got %q", text)
	}
	// The default fee follows the new minimum.
	var res client.TxResult
	if err := json.Unmarshal([]byte(n.ok("tx", "bank", "send", "alice", "bob", "1upin", "-o", "json")), &res); err != nil {
		t.Fatal(err)
	}
	if !hasAttr(res.Events, "tx", "fee", "2000") {
		t.Errorf("default fee: got events %+v, want fee 2000", res.Events)
	}
	_, err := n.run("tx", "params", "set", "alice", "bank.min_fee=1")
	if err == nil || !strings.Contains(err.Error(), "tx rejected: unauthorized (10)") {
		t.Errorf("non-authority: got %v, want unauthorized", err)
	}
	_, err = n.run("tx", "params", "set", "authority", "bank.min_fee=-1")
	if err == nil || !strings.Contains(err.Error(), "non-negative integer") {
		t.Errorf("negative: got %v", err)
	}
	_, err = n.run("tx", "params", "set", "authority", "nope.x=1")
	if err == nil || !strings.Contains(err.Error(), "unknown_param") {
		t.Errorf("unknown param: got %v", err)
	}
}

func hasAttr(events []query.Event, typ, key, value string) bool {
	for _, e := range events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key && a.Value == value {
				return true
			}
		}
	}
	return false
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestCLIDevice(t *testing.T) {
	n := newCLINode(t)
	dir := t.TempDir()
	cert, onboard := filepath.Join(dir, "cert.json"), filepath.Join(dir, "onboard.json")
	n.ok("tx", "device", "register-maker", "authority", "--name", "Acme", "--maker-key", "maker", "--kinds", "coverage,sensor", "--onboard-fee", "2pin")
	n.ok("device", "certify", "--maker-key", "maker", "--device-key", "dev1", "--kind", "coverage", "--serial", "SN-1", "--out", cert)
	n.ok("device", "bind", "--device-key", "dev1", "--owner", "alice", "--cert", cert, "--out", onboard)
	if _, err := n.run("device", "certify", "--maker-key", "maker", "--device-key", "dev1", "--kind", "coverage", "--serial", "SN-1", "--out", cert); err == nil {
		t.Errorf("certify over an existing file: got nil error, want a refusal")
	}
	alice0 := n.balance("alice")
	n.ok("tx", "device", "onboard", "alice", "--file", onboard)
	if got, want := n.balance("alice"), alice0-2_000_000-bank.MinFee.Default; got != want {
		t.Errorf("alice after onboarding: got %d, want %d (fee burned)", got, want)
	}
	devID := ledger.AddressOf(sig.PublicOf(clienttest.Key("dev1")))
	// Lisbon (38.7223, -9.1393) at resolution 12 is H3 cell 8c3933676d081ff
	// (h3-go LatLngToCell; internal/device fixture_test.go).
	n.ok("tx", "device", "assert-location", "alice", "dev1", "--lat", "38.7223", "--lng", "-9.1393", "--res", "12", "--gain", "30", "--elevation", "12")
	var d query.Device
	if err := json.Unmarshal([]byte(n.ok("query", "device", "show", devID.String(), "-o", "json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.Location == nil || d.Location.Cell != "8c3933676d081ff" || d.Location.Attributes != hex.EncodeToString(coverage.EncodeAttributes(30, 12, coverage.RegionEU868)) || d.Owner != clienttest.Addr("alice").String() || d.Serial != "SN-1" {
		t.Errorf("device: got %+v (location %+v)", d, d.Location)
	}
	n.ok("tx", "device", "assert-location", "alice", devID.String(), "--cell", "8c39220f082edff", "--gain", "30", "--elevation", "12")
	locs := n.ok("query", "device", "locations", "dev1")
	if !strings.Contains(locs, "8c3933676d081ff") || !strings.Contains(locs, "8c39220f082edff") {
		t.Errorf("locations: got %q", locs)
	}
	list := n.ok("query", "device", "list", "--owner", "alice", "--kind", "coverage")
	if !strings.Contains(list, devID.String()) || !strings.Contains(list, "8c39220f082edff") {
		t.Errorf("list: got %q", list)
	}
	if list := n.ok("query", "device", "list", "--kind", "sensor"); strings.Contains(list, devID.String()) {
		t.Errorf("list sensors: got %q, want no coverage device", list)
	}
	makers := n.ok("query", "device", "makers")
	if !strings.Contains(makers, "Acme") || !strings.Contains(makers, "coverage,sensor") {
		t.Errorf("makers: got %q", makers)
	}
	n.ok("tx", "device", "transfer", "alice", "dev1", "bob")
	if _, err := n.run("tx", "device", "decommission", "alice", "dev1"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("decommission by the old owner: got %v, want unauthorized", err)
	}
	n.ok("tx", "device", "decommission", "bob", "dev1")
	show := n.ok("query", "device", "show", "dev1")
	if !strings.Contains(show, "decommissioned at height") || !strings.Contains(show, clienttest.Addr("bob").String()) {
		t.Errorf("show after decommission: got %q", show)
	}
	// Onboarding the same device again fails with the chain's code.
	if _, err := n.run("tx", "device", "onboard", "alice", "--file", onboard); err == nil || !strings.Contains(err.Error(), "device_exists") {
		t.Errorf("second onboarding: got %v, want device_exists", err)
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"tx", "device", "assert-location", "bob", "dev1"}, "--cell"},
		{[]string{"tx", "device", "assert-location", "bob", "dev1", "--cell", "zz"}, "not a hex H3 index"},
		{[]string{"tx", "device", "assert-location", "bob", "dev1", "--lat", "91.5", "--lng", "0"}, "coordinates out of range"},
		{[]string{"tx", "device", "register-maker", "authority", "--name", "X", "--kinds", "toaster", "--maker-key", "bob"}, "toaster"},
		{[]string{"tx", "device", "onboard", "alice"}, "--file"},
		{[]string{"device", "certify", "--maker-key", "maker", "--device-pubkey", "abcd", "--kind", "coverage", "--serial", "S"}, "32 bytes"},
	}
	for _, b := range bad {
		if _, err := n.run(b.args...); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: got %v, want an error containing %q", strings.Join(b.args, " "), err, b.want)
		}
	}
}

func TestCLIQuery(t *testing.T) {
	n := newCLINode(t)
	var res client.TxResult
	if err := json.Unmarshal([]byte(n.ok("tx", "bank", "send", "alice", "bob", "3upin", "-o", "json")), &res); err != nil {
		t.Fatal(err)
	}
	bal := n.ok("query", "bank", "balance", "bob")
	if !strings.Contains(bal, "1000000003upin") || !strings.Contains(bal, "1000.000003pin") {
		t.Errorf("balance: got %q", bal)
	}
	var acc query.Account
	if err := json.Unmarshal([]byte(n.ok("query", "bank", "balance", clienttest.Addr("alice").String(), "-o", "json")), &acc); err != nil {
		t.Fatal(err)
	}
	if acc.Sequence != 1 || acc.Balance != 1_000_000_000-3-bank.MinFee.Default {
		t.Errorf("alice: got %+v", acc)
	}
	sup := n.ok("query", "bank", "supply")
	if !strings.Contains(sup, "3000000000upin") {
		t.Errorf("supply: got %q", sup)
	}
	tx := n.ok("query", "tx", res.Hash)
	if !strings.Contains(tx, "code:") || !strings.Contains(tx, "0 (ok)") || !strings.Contains(tx, "bank.transfer") {
		t.Errorf("tx: got %q", tx)
	}
	_, err := n.run("query", "tx", strings.Repeat("00", 32))
	if !errors.Is(err, client.ErrTxNotFound) || !strings.Contains(err.Error(), "not committed yet") {
		t.Errorf("missing tx: got %v, want tx not found", err)
	}
	_, err = n.run("query", "device", "show", "bob")
	if err == nil || !strings.Contains(err.Error(), "no device") {
		t.Errorf("missing device: got %v", err)
	}
	_, err = n.run("query", "device", "list", "--limit", "0")
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("limit 0: got %v", err)
	}
}
