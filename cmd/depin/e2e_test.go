package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// H3 cells at resolution 12 in Lisbon and Porto (as in internal/query's
// fixture), written the way the CLI takes them.
const (
	e2eCellLisbon uint64 = 0x8c3933676d081ff
	e2eCellPorto  uint64 = 0x8c39220f082edff
)

// e2eBook is what the test expects the chain to hold: it is updated by
// hand for every transaction the test sees committed, and compared with
// the chain's answers.
type e2eBook struct {
	bal    map[string]uint64 // by bech32 address
	seq    map[string]uint64
	fees   uint64
	minted uint64
	burned uint64
}

// paid records a committed tx of signer that paid fee and burned burn.
func (b *e2eBook) paid(signer string, fee, burn uint64) {
	b.bal[signer] -= fee + burn
	b.seq[signer]++
	b.fees += fee
	b.burned += burn
}

// moved records a transfer inside a committed tx.
func (b *e2eBook) moved(from, to string, amount uint64) {
	b.bal[from] -= amount
	b.bal[to] += amount
}

// e2eEnv is a running node with its keys and the expected state.
type e2eEnv struct {
	t    *testing.T
	node *procNode
	kr   *keyring.Keyring
	addr map[string]string // key name -> address
	book *e2eBook
	fee  uint64
}

// key returns the private key of a keyring name.
func (e *e2eEnv) key(name string) sig.PrivateKey {
	e.t.Helper()
	k, err := e.kr.PrivateKey(name)
	if err != nil {
		e.t.Fatalf("keyring: %v", err)
	}
	return k
}

// tx runs a tx command with -o json, wants it committed with code 0 and
// returns its result.
func (e *e2eEnv) tx(args ...string) client.TxResult {
	e.t.Helper()
	r := mustSucceed(e.t, e.node.cli(append(append([]string{"tx"}, args...), "-o", "json")...))
	var res client.TxResult
	decodeJSON(e.t, r, &res)
	if res.Code != 0 || res.Height <= 0 || len(res.Hash) != 64 {
		e.t.Fatalf("got code %d (%s) at height %d hash %q, want code 0 in a block: %s", res.Code, res.Status, res.Height, res.Hash, r)
	}
	return res
}

// txFails runs a tx command that must exit non-zero with one line on
// stderr naming want, and checks that no balance or sequence changed.
func (e *e2eEnv) txFails(want string, args ...string) {
	e.t.Helper()
	before := e.snapshotAccounts()
	mustFailOneLine(e.t, e.node.cli(append([]string{"tx"}, args...)...), want)
	if after := e.snapshotAccounts(); after != before {
		e.t.Errorf("tx %s: accounts changed after a failed tx:\nbefore %s\nafter  %s", strings.Join(args, " "), before, after)
	}
}

// send signs msgs with a key through internal/client and wants code 0.
func (e *e2eEnv) send(from string, msgs ...*txv1.Msg) *client.TxResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), procCLITimeout)
	defer cancel()
	res, err := e.node.client.SignAndSend(ctx, e.key(from), client.Tx{Msgs: msgs, Fee: e.fee})
	if err != nil {
		e.t.Fatalf("send from %s: %v", from, err)
	}
	return res
}

// sendFails signs msgs through internal/client and wants a *client.TxError
// with code want and no change to any account.
func (e *e2eEnv) sendFails(want ledger.Code, from string, msgs ...*txv1.Msg) {
	e.t.Helper()
	before := e.snapshotAccounts()
	ctx, cancel := context.WithTimeout(context.Background(), procCLITimeout)
	defer cancel()
	_, err := e.node.client.SignAndSend(ctx, e.key(from), client.Tx{Msgs: msgs, Fee: e.fee})
	var te *client.TxError
	if !errors.As(err, &te) || te.Code != want {
		e.t.Fatalf("send from %s: got error %v, want a tx error with code %s (%d)", from, err, want, uint32(want))
	}
	if strings.Contains(te.Error(), "\n") {
		e.t.Errorf("tx error %q: want one line", te.Error())
	}
	if after := e.snapshotAccounts(); after != before {
		e.t.Errorf("accounts changed after a failed tx:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshotAccounts returns the ABCI answers for every known account, the
// fee collector and the supply, concatenated.
func (e *e2eEnv) snapshotAccounts() string {
	e.t.Helper()
	var b strings.Builder
	for _, name := range []string{"alice", "bob", "carol", "acme", "dev1", "dev2"} {
		b.Write(e.node.abci("/accounts/" + e.addr[name]))
	}
	b.Write(e.node.abci("/accounts/" + bank.FeeCollector.String()))
	b.Write(e.node.abci("/supply"))
	return b.String()
}

// checkBook compares every account, the fee collector and the supply with
// the book, and checks that the supply equals the sum of all balances.
func (e *e2eEnv) checkBook() {
	e.t.Helper()
	var sum uint64
	for _, name := range []string{"alice", "bob", "carol", "acme", "dev1", "dev2"} {
		var acc query.Account
		decodeJSON(e.t, mustSucceed(e.t, e.node.cli("query", "bank", "balance", name, "-o", "json")), &acc)
		a := e.addr[name]
		if acc.Balance != e.book.bal[a] || acc.Sequence != e.book.seq[a] || acc.Address != a {
			e.t.Errorf("%s: got balance %d sequence %d address %s, want %d, %d, %s", name, acc.Balance, acc.Sequence, acc.Address, e.book.bal[a], e.book.seq[a], a)
		}
		sum += acc.Balance
	}
	var fc query.Account
	e.node.query("/accounts/"+bank.FeeCollector.String(), &fc)
	if fc.Balance != e.book.fees {
		e.t.Errorf("fee collector: got %d upin, want %d", fc.Balance, e.book.fees)
	}
	sum += fc.Balance
	var s query.Supply
	decodeJSON(e.t, mustSucceed(e.t, e.node.cli("query", "bank", "supply", "-o", "json")), &s)
	if s.Minted != e.book.minted || s.Burned != e.book.burned || s.Total != e.book.minted-e.book.burned {
		e.t.Errorf("supply: got minted %d burned %d total %d, want %d, %d, %d", s.Minted, s.Burned, s.Total, e.book.minted, e.book.burned, e.book.minted-e.book.burned)
	}
	if s.Total != sum {
		e.t.Errorf("supply invariant: got total %d, sum of balances and fee collector %d", s.Total, sum)
	}
}

// newE2EEnv creates keys and a home with the CLI, starts the node and
// reads the minimum fee.
func newE2EEnv(t *testing.T) *e2eEnv {
	bin := depinBinary(t)
	home := filepath.Join(t.TempDir(), "home")
	e := &e2eEnv{t: t, addr: map[string]string{}, book: &e2eBook{bal: map[string]uint64{}, seq: map[string]uint64{}}}
	for _, name := range []string{"alice", "bob", "carol", "acme", "dev1", "dev2", "dev3"} {
		var info struct {
			Name    string `json:"name"`
			Address string `json:"address"`
		}
		decodeJSON(t, mustSucceed(t, runDepin(t, bin, "keys", "add", name, "--home", home, "--keyring-backend", "test", "-o", "json")), &info)
		if info.Name != name || !strings.HasPrefix(info.Address, ledger.AddressPrefix+"1") {
			t.Fatalf("keys add %s: got name %q address %q", name, info.Name, info.Address)
		}
		e.addr[name] = info.Address
	}
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.kr = kr

	const aliceFunds, bobFunds = 1_000_000_000_000, 500_000_000_000
	initArgs := []string{"init", "--home", home, "--chain-id", "e2e", "--block-time", "100ms",
		"--account", e.addr["alice"] + "=1000000000000", "--account", e.addr["bob"] + "=500000000000"}
	mustFailOneLine(t, runDepin(t, bin, "init", "--home", filepath.Join(t.TempDir(), "bad"), "--chain-id", "e2e", "--account", e.addr["alice"]+"=lots"), "--account")
	mustFailOneLine(t, runDepin(t, bin, "init", "--home", filepath.Join(t.TempDir(), "bad2"), "--chain-id", "e2e", "--account", "pin1nope=5"), "--account")
	r := mustSucceed(t, runDepin(t, bin, initArgs...))
	if !strings.Contains(r.stdout, "e2e") {
		t.Errorf("init: got stdout %q, want it to name the chain", r.stdout)
	}
	mustFailOneLine(t, runDepin(t, bin, initArgs...), "already initialised")
	e.book.bal[e.addr["alice"]] = aliceFunds
	e.book.bal[e.addr["bob"]] = bobFunds
	e.book.minted = aliceFunds + bobFunds

	e.node = newProcNode(t, bin, home)
	e.node.start(1)
	var ps query.Params
	decodeJSON(t, mustSucceed(t, e.node.cli("query", "params", "-o", "json")), &ps)
	fee, ok := ps.Value(bank.MinFee.Name)
	if !ok || fee == 0 {
		t.Fatalf("params: got %s = %d (present %v), want a positive minimum fee", bank.MinFee.Name, fee, ok)
	}
	if ps.Authority != e.addr["alice"] {
		t.Errorf("params authority: got %s, want alice %s (the first account)", ps.Authority, e.addr["alice"])
	}
	e.fee = fee
	return e
}

// TestNodeEndToEnd runs the depin binary as a user would: keys and init
// through the CLI, `depin start` as a child process, transactions through
// the CLI and internal/client (bank, params, the whole device life cycle and
// failing ones), queries through the CLI, abci_query and the JSON API; then
// a SIGINT and a restart from the same home, which must keep the chain,
// its app hashes and its state, and go on producing blocks.
func TestNodeEndToEnd(t *testing.T) {
	e := newE2EEnv(t)
	n, b, a, fee := e.node, e.book, e.addr, e.fee

	// Status: the node's chain, height and validator.
	var ns nodeStatus
	decodeJSON(t, mustSucceed(t, n.cli("status", "-o", "json")), &ns)
	if ns.ChainID != "e2e" || ns.Height < 1 || ns.CatchingUp || !ns.ValidatorIsActive || ns.ValidatorPower != 10 {
		t.Errorf("status: got %+v, want chain e2e, a height, not catching up, the validator with power 10", ns)
	}
	if r := mustSucceed(t, n.cli("status")); !strings.Contains(r.stdout, "catching up: false") {
		t.Errorf("status: got %q", r.stdout)
	}
	mustFailOneLine(t, runDepin(t, n.bin, "status", "--node", fmt.Sprintf("127.0.0.1:%d", freePort(t))), "no node answers", "depin start")

	// Bank.
	e.tx("bank", "send", "alice", "bob", "1.5pin")
	b.paid(a["alice"], fee, 0)
	b.moved(a["alice"], a["bob"], 1_500_000)
	e.tx("bank", "multi-send", "alice", "carol:10pin", a["bob"]+":1000upin")
	b.paid(a["alice"], fee, 0)
	b.moved(a["alice"], a["carol"], 10_000_000)
	b.moved(a["alice"], a["bob"], 1000)
	e.txFails("insufficient_funds", "bank", "send", "bob", "alice", "1000000pin")
	e.txFails("recipient", "bank", "send", "alice", "pin1qqqqqqqq", "1pin")
	e.txFails("positive", "bank", "send", "alice", "bob", "0upin")
	e.txFails("nobody", "bank", "send", "nobody", "bob", "1pin")
	e.checkBook()

	// Params: only the authority may change them.
	e.txFails("unauthorized", "params", "set", "bob", bank.MinFee.Name+"=2000")
	e.txFails("param_out_of_bounds", "params", "set", "alice", coverage.MaxGain.Name+"=100000")
	e.tx("params", "set", "alice", device.AssertFee.Name+"=500000")
	b.paid(a["alice"], fee, 0)
	const assertFee, onboardFee = 500_000, 2_000_000

	// Makers: registered by the authority.
	e.tx("device", "register-maker", "alice", "--name", "Acme", "--maker-key", "acme", "--kinds", "coverage", "--onboard-fee", "2pin")
	b.paid(a["alice"], fee, 0)
	e.txFails("unauthorized", "device", "register-maker", "bob", "--name", "Evil", "--maker-key", "bob", "--kinds", "coverage")
	e.txFails("maker_exists", "device", "register-maker", "alice", "--name", "Acme", "--maker-key", "carol", "--kinds", "coverage")

	// Device 1 through the CLI: certify, bind, onboard.
	dir := t.TempDir()
	cert, onboard := filepath.Join(dir, "cert.json"), filepath.Join(dir, "onboard.json")
	mustSucceed(t, n.cli("device", "certify", "--maker-key", "acme", "--device-key", "dev1", "--kind", "coverage", "--serial", "SN-0001", "--out", cert))
	mustSucceed(t, n.cli("device", "bind", "--device-key", "dev1", "--owner", "bob", "--chain-id", "e2e", "--cert", cert, "--out", onboard))
	onboarded := e.tx("device", "onboard", "bob", "--file", onboard)
	b.paid(a["bob"], fee, onboardFee)
	e.txFails("device_exists", "device", "onboard", "bob", "--file", onboard)

	// Device 2 through internal/client.
	ctx := context.Background()
	certFile, err := client.Certify(e.key("acme"), sig.PublicOf(e.key("dev2")), "coverage", "SN-0002")
	if err != nil {
		t.Fatal(err)
	}
	of, err := client.Bind(e.key("dev2"), "e2e", mustAddr(t, a["alice"]), certFile)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := of.Msg()
	if err != nil {
		t.Fatal(err)
	}
	e.send("alice", msg)
	b.paid(a["alice"], fee, onboardFee)
	// Acme may not certify energy meters.
	certFile, err = client.Certify(e.key("acme"), sig.PublicOf(e.key("dev3")), "energy", "SN-0003")
	if err != nil {
		t.Fatal(err)
	}
	if of, err = client.Bind(e.key("dev3"), "e2e", mustAddr(t, a["alice"]), certFile); err != nil {
		t.Fatal(err)
	}
	if msg, err = of.Msg(); err != nil {
		t.Fatal(err)
	}
	e.sendFails(ledger.CodeKindNotCertified, "alice", msg)

	// Locations.
	lisbon, porto := device.CellString(e2eCellLisbon), device.CellString(e2eCellPorto)
	e.tx("device", "assert-location", "bob", "dev1", "--cell", lisbon, "--gain", "30", "--elevation", "10")
	b.paid(a["bob"], fee, assertFee)
	e.txFails("location_unchanged", "device", "assert-location", "bob", "dev1", "--cell", lisbon, "--gain", "30", "--elevation", "10")
	e.txFails("unauthorized", "device", "assert-location", "alice", "dev1", "--cell", porto)
	e.txFails("cell", "device", "assert-location", "bob", "dev1", "--cell", "123")
	typ, val := device.AssertLocationMsg(mustAddr(t, a["dev2"]), e2eCellPorto, coverage.EncodeAttributes(20, 5, coverage.RegionEU868))
	e.send("alice", &txv1.Msg{Type: typ, Value: val})
	b.paid(a["alice"], fee, assertFee)

	// Transfer and decommission.
	e.tx("device", "transfer", "bob", "dev1", "carol")
	b.paid(a["bob"], fee, 0)
	e.txFails("unauthorized", "device", "transfer", "bob", "dev1", "alice")
	e.tx("device", "decommission", "carol", "dev1")
	b.paid(a["carol"], fee, 0)
	e.txFails("device_decommissioned", "device", "assert-location", "carol", "dev1", "--cell", porto)
	e.checkBook()

	// Queries: CLI.
	var d1 query.Device
	decodeJSON(t, mustSucceed(t, n.cli("query", "device", "show", "dev1", "-o", "json")), &d1)
	if d1.ID != a["dev1"] || d1.Owner != a["carol"] || d1.Active || d1.Serial != "SN-0001" || d1.Kind != "coverage" ||
		d1.Location == nil || d1.Location.Cell != lisbon || d1.Assertions != 1 || d1.DecommissionedHeight <= d1.OnboardedHeight {
		t.Errorf("device 1: got %+v (location %+v), want owner carol, decommissioned, at %s, one assertion", d1, d1.Location, lisbon)
	}
	var list query.DeviceList
	decodeJSON(t, mustSucceed(t, n.cli("query", "device", "list", "--owner", "alice", "-o", "json")), &list)
	if len(list.Devices) != 1 || list.Devices[0].ID != a["dev2"] || list.Devices[0].Location == nil || list.Devices[0].Location.Cell != porto {
		t.Errorf("alice's devices: got %+v, want dev2 at %s", list.Devices, porto)
	}
	var rec query.Tx
	decodeJSON(t, mustSucceed(t, n.cli("query", "tx", onboarded.Hash, "-o", "json")), &rec)
	if rec.Hash != onboarded.Hash || rec.Height != onboarded.Height || rec.Code != 0 {
		t.Errorf("query tx: got %+v, want hash %s at height %d code 0", rec, onboarded.Hash, onboarded.Height)
	}
	mustFailOneLine(t, n.cli("query", "device", "show", a["dev3"]), "not_found")
	mustFailOneLine(t, n.cli("query", "tx", strings.Repeat("ab", 32)), "tx not found")

	// Queries: the JSON API answers what abci_query answers.
	for _, p := range []string{"/accounts/" + a["alice"], "/devices/" + a["dev2"], "/devices/" + a["dev1"] + "/locations", "/makers", "/supply"} {
		body, status := n.httpGet(n.apiURL() + "/v1" + p)
		if want := append(n.abci(p), '\n'); status != http.StatusOK || !bytes.Equal(body, want) {
			t.Errorf("GET /v1%s: got HTTP %d %s, want 200 %s", p, status, body, want)
		}
	}
	// Transactions: the JSON API answers what CometBFT's /tx answers.
	body, status := n.httpGet(n.apiURL() + "/v1/txs/" + onboarded.Hash)
	var apiTx query.Tx
	if err := json.Unmarshal(body, &apiTx); status != http.StatusOK || err != nil || !reflect.DeepEqual(apiTx, rec) {
		t.Errorf("GET /v1/txs/%s: got HTTP %d %s, want 200 %+v", onboarded.Hash, status, body, rec)
	}
	body, status = n.httpGet(n.apiURL() + "/v1/devices/pin1bad")
	var eb api.ErrorBody
	if err := json.Unmarshal(body, &eb); status != http.StatusBadRequest || err != nil || eb.Status != "bad_request" || eb.Error == "" {
		t.Errorf("GET /v1/devices/pin1bad: got HTTP %d %s, want 400 with a bad_request body", status, body)
	}
	resp, err := http.Post(n.apiURL()+"/v1/supply", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /v1/supply: got HTTP %d, want 405 (the API is read-only)", resp.StatusCode)
	}

	// Restart: SIGINT, then start from the same home.
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, p := range []string{"/accounts/" + a["alice"], "/accounts/" + a["bob"], "/accounts/" + a["carol"],
			"/accounts/" + bank.FeeCollector.String(), "/supply", "/devices", "/devices/" + a["dev1"] + "/locations",
			"/makers", "/params"} {
			out[p] = string(n.abci(p))
		}
		return out
	}
	before := snapshot()
	var st api.Status
	body, _ = n.httpGet(n.apiURL() + "/v1/status")
	if err := json.Unmarshal(body, &st); err != nil || st.ChainID != "e2e" || st.Height <= 0 || len(st.AppHash) != 64 {
		t.Fatalf("GET /v1/status: got %s (%v), want chain e2e, a height and an app hash", body, err)
	}
	last, err := n.client.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heights := []int64{1, last.Height / 2, last.Height}
	hashes := map[int64]string{}
	for _, h := range heights {
		hashes[h] = n.blockAppHash(h)
	}
	n.stop()

	after := n.start(last.Height)
	if after.ChainID != "e2e" {
		t.Errorf("after restart: got chain %q, want e2e", after.ChainID)
	}
	for _, h := range heights {
		if got := n.blockAppHash(h); got != hashes[h] {
			t.Errorf("block %d after restart: got app hash %s, want %s", h, got, hashes[h])
		}
	}
	// The app's own hash at st.Height is what block st.Height+1 commits to.
	n.waitHeight(st.Height+1, procReadyTimeout)
	if got := n.blockAppHash(st.Height + 1); !strings.EqualFold(got, st.AppHash) {
		t.Errorf("block %d after restart: got app hash %s, want the app's hash at %d before the restart %s", st.Height+1, got, st.Height, st.AppHash)
	}
	for p, want := range snapshot() {
		if before[p] != want {
			t.Errorf("%s after restart: got %s, want %s", p, want, before[p])
		}
	}
	if got, err := n.client.Tx(ctx, onboarded.Hash); err != nil || !reflect.DeepEqual(got, rec) {
		t.Errorf("tx %s after restart: got %+v (%v), want %+v", onboarded.Hash, got, err, rec)
	}
	n.waitHeight(after.Height+3, procReadyTimeout)
	e.tx("bank", "send", "bob", "carol", "1pin")
	b.paid(a["bob"], fee, 0)
	b.moved(a["bob"], a["carol"], 1_000_000)
	e.checkBook()
	n.stop()
}

func mustAddr(t *testing.T, s string) ledger.Address {
	t.Helper()
	a, err := ledger.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
