package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/depin-network/depin/internal/explorer/explorertest"
	"github.com/depin-network/depin/internal/node"
)

// mergeGenesisParams sets param overrides in an initialised home's genesis,
// keeping the others (before its first start).
func mergeGenesisParams(t *testing.T, home string, ps map[string]uint64) {
	t.Helper()
	path := filepath.Join(home, "config", "genesis.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	var st map[string]json.RawMessage
	cur := map[string]uint64{}
	if err := json.Unmarshal(raw, &doc); err != nil || json.Unmarshal(doc["app_state"], &st) != nil {
		t.Fatalf("genesis: %v", err)
	}
	if len(st["params"]) > 0 {
		if err := json.Unmarshal(st["params"], &cur); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range ps {
		cur[k] = v
	}
	st["params"], _ = json.Marshal(cur)
	doc["app_state"], _ = json.Marshal(st)
	out, _ := json.MarshalIndent(doc, "", "  ")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// getJSON reads an explorer /api page.
func getJSON(t *testing.T, url string, v any) bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && json.Unmarshal(b, v) == nil
}

// TestExplorerBrowserDevnet runs a real devnet (the depin binary: one
// validator with staking, governance, ingest, the oracle, the indexer and
// the explorer, the coverage and market fleets) with short epochs until an
// epoch settles and the oracle's explanations are indexed, submits a
// governance proposal, then drives Debian's headless chromium over the
// explorer: every page loads with no console error and no request leaving
// loopback; the map shows the devnet's devices and a click opens a device
// page with its reasons; the market page shows leases with their escrow,
// governance the proposal with its tally, validators the staking
// validator with its power and commission; search finds a device, an
// address, a tx hash and a height; the charts render; each page is saved
// as a screenshot.
func TestExplorerBrowserDevnet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet and a browser")
	}
	b := explorertest.New(t)
	bin := depinBinary(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "devnet")
	env := append(os.Environ(), envClientConfig+"="+filepath.Join(dir, "client.toml"))
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), procCLITimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("devnet", "--init-only", "--home", home, "--gov", "--fleet", "coverage,market", "--devices", "12"); err != nil {
		t.Fatalf("devnet --init-only: %v\n%s", err, out)
	}
	// Epochs of 30 blocks (6 s) with a short grace, so one settles soon.
	mergeGenesisParams(t, home, map[string]uint64{"epoch.blocks": 30, "reward.segment_grace_blocks": 10})
	ac, err := node.LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	ac.Ingest.Service.SegmentMaxAge = time.Second
	ac.Ingest.Service.SegmentPublicGrace = 2 * time.Second
	ac.Oracle.Service.PollInterval = 300 * time.Millisecond
	if err := node.WriteAppConfig(home, ac); err != nil {
		t.Fatal(err)
	}
	rpc, explorerPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, "devnet", "--home", home, "--fleet", "coverage,market", "--devices", "12",
		"--rpc.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", rpc), "--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		"--api.laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--ingest.laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"--oracle.laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--metrics.laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"--explorer.laddr", fmt.Sprintf("127.0.0.1:%d", explorerPort))
	cmd.Env = env
	logs := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(procStopTimeout):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("devnet output tail:\n%s", logs.Tail(8192))
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", explorerPort)

	// Wait for a settled, explained epoch and an active lease.
	var epochs struct {
		Epochs []struct {
			Number    int64 `json:"number,string"`
			Settled   int64 `json:"settled_height,string"`
			Explained bool  `json:"explained"`
		} `json:"epochs"`
	}
	var market struct {
		Leases []struct {
			ID    uint64 `json:"id,string"`
			State string `json:"state"`
		} `json:"leases"`
	}
	var reward struct {
		Rewards []struct {
			Device string `json:"device"`
		} `json:"top_devices"`
	}
	settled := int64(-1)
	for deadline := time.Now().Add(150 * time.Second); settled < 0 || len(market.Leases) == 0; time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("no settled and explained epoch paying a device, with a lease, within 150 s (epochs %+v, leases %d)", epochs.Epochs, len(market.Leases))
		}
		select {
		case <-done:
			t.Fatal("the devnet exited")
		default:
		}
		if getJSON(t, base+"/api/epochs", &epochs) {
			// The first epoch with a paid device (the first epochs may
			// pay none while the fleet onboards).
			for _, e := range epochs.Epochs {
				if e.Settled > 0 && e.Explained && getJSON(t, fmt.Sprintf("%s/api/epochs/%d", base, e.Number), &reward) && len(reward.Rewards) > 0 {
					settled = e.Number
					break
				}
			}
		}
		getJSON(t, base+"/api/market", &market)
	}
	t.Logf("epoch %d settled and explained; %d leases", settled, len(market.Leases))

	// A governance proposal.
	prop := filepath.Join(dir, "proposal.json")
	if err := os.WriteFile(prop, []byte(`{"title":"Explorer test proposal","summary":"A text proposal."}`), 0o600); err != nil {
		t.Fatal(err)
	}
	node := fmt.Sprintf("http://127.0.0.1:%d", rpc)
	if out, err := run("tx", "gov", "submit-proposal", "dev1", prop, "--deposit", "1000pin", "--home", home, "--keyring-backend", "test", "--node", node); err != nil {
		t.Fatalf("submit proposal: %v\n%s", err, out)
	}

	// Identifiers to visit, from the explorer's own JSON.
	var devs struct {
		Devices []struct {
			Address string `json:"address"`
			Owner   string `json:"owner"`
		} `json:"devices"`
	}
	var blocks struct {
		Blocks []struct {
			Height int64 `json:"height,string"`
		} `json:"blocks"`
	}
	if !getJSON(t, base+"/api/devices", &devs) || len(devs.Devices) == 0 || !getJSON(t, base+"/api/blocks", &blocks) || len(blocks.Blocks) == 0 {
		t.Fatalf("explorer JSON: %d devices, %d blocks", len(devs.Devices), len(blocks.Blocks))
	}
	dev := reward.Rewards[0].Device
	owner := devs.Devices[0].Owner
	var txHash string
	for _, bl := range blocks.Blocks {
		var page struct {
			Txs []struct {
				Hash string `json:"hash"`
			} `json:"txs"`
		}
		if getJSON(t, fmt.Sprintf("%s/api/blocks/%d", base, bl.Height), &page) && len(page.Txs) > 0 {
			txHash = page.Txs[0].Hash
			break
		}
	}
	if txHash == "" {
		t.Fatal("no transaction in the recent blocks")
	}

	pages := []struct{ name, path, ready string }{
		{"home", "/", "document.querySelector('#map').dataset.state === 'ready' && !!document.querySelector('.chart canvas')"},
		{"blocks", "/blocks", "!!document.querySelector('table tbody tr a')"},
		{"block", fmt.Sprintf("/blocks/%d", blocks.Blocks[0].Height), "!!document.querySelector('h1')"},
		{"tx", "/txs/" + txHash, "!!document.querySelector('dl')"},
		{"account", "/accounts/" + owner, "!!document.querySelector('table')"},
		{"devices", "/devices", "document.querySelector('#map').dataset.state === 'ready'"},
		// The settled epoch by number: with six-second epochs a newer one
		// may settle before the indexer has its explanations, and a device
		// page shows its latest epoch by default.
		{"device", fmt.Sprintf("/devices/%s?epoch=%d", dev, settled), "document.querySelector('#devmap').dataset.state === 'ready' && !!document.querySelector('.chart canvas') && !!document.querySelector('#reasons')"},
		{"epochs", "/epochs", "!!document.querySelector('table tbody tr a')"},
		{"epoch", fmt.Sprintf("/epochs/%d", settled), "!!document.querySelector('table')"},
		{"market", "/market", "document.querySelectorAll('#leases tbody tr td').length > 1 && document.querySelectorAll('#providers tbody tr td').length > 1"},
		{"governance", "/governance", "document.querySelectorAll('#proposals tbody tr td').length > 1"},
		{"validators", "/validators", "document.querySelectorAll('#validators tbody tr td').length > 1"},
		{"search", "/search", "!!document.querySelector('form')"},
		// The devnet runs no storage, energy, compute or relay fleet: the
		// pages show the modules' (empty) state read from the node.
		{"storage", "/storage", "document.querySelectorAll('#deals tbody tr').length > 0 && document.querySelectorAll('#sproviders tbody tr').length > 0"},
		{"energy", "/energy", "document.querySelectorAll('#clearings tbody tr').length > 0"},
		{"compute", "/compute", "document.querySelectorAll('#jobs tbody tr').length > 0 && document.querySelectorAll('#cproviders tbody tr').length > 0"},
		{"relay", "/relay", "document.querySelectorAll('#relays tbody tr').length > 0 && document.querySelectorAll('#channels tbody tr').length > 0"},
	}
	for _, p := range pages {
		b.Do(t, p.name, chromedp.Navigate(base+p.path))
		b.WaitFor(t, p.name+" ready", p.ready)
		b.Shoot(t, p.name)
		b.Clean(t, p.name)
	}
	// What the module pages show is the modules' state.
	b.Do(t, "market", chromedp.Navigate(base+"/market"))
	b.WaitFor(t, "leases", "document.querySelectorAll('#leases tbody tr td').length > 1")
	if s := explorertest.Eval[string](t, b, "document.querySelector('#leases tbody tr').innerText"); !strings.Contains(s, "PIN") {
		t.Errorf("market: the first lease row shows no escrow amounts: %q", s)
	}
	b.Do(t, "governance", chromedp.Navigate(base+"/governance"))
	b.WaitFor(t, "proposal", "document.querySelectorAll('#proposals tbody tr td').length > 1")
	if s := explorertest.Eval[string](t, b, "document.querySelector('#proposals tbody tr').innerText"); !strings.Contains(s, "Explorer test proposal") || !strings.Contains(s, "PIN") {
		t.Errorf("governance: the proposal row shows no title or tally: %q", s)
	}
	b.Do(t, "validators", chromedp.Navigate(base+"/validators"))
	b.WaitFor(t, "validator", "document.querySelectorAll('#validators tbody tr td').length > 1")
	if s := explorertest.Eval[string](t, b, "document.querySelector('#validators tbody tr').innerText"); !strings.Contains(s, "bonded") || !strings.Contains(s, "%") {
		t.Errorf("validators: the validator row shows no status or commission: %q", s)
	}

	// The map shows the devnet's devices; a click on one opens its page
	// with its reasons.
	b.Do(t, "devices", chromedp.Navigate(base+"/devices"))
	b.WaitFor(t, "map ready", "document.querySelector('#map').dataset.state === 'ready'")
	// The map shows hexes until zoomed in to the street; a click on a hex
	// zooms in, as a user does.
	for i := 0; explorertest.Eval[string](t, b, "document.querySelector('#map').dataset.mode") != "devices"; i++ {
		if i == 5 {
			t.Fatal("the map shows no devices after zooming in five times")
		}
		b.Do(t, "click a hex", chromedp.Click("path.hex-cell"))
		time.Sleep(500 * time.Millisecond)
		b.WaitFor(t, "map reloaded", "document.querySelector('#map').dataset.mode === 'devices' || document.querySelectorAll('path.hex-cell').length > 0")
	}
	if n := explorertest.Eval[int](t, b, "document.querySelectorAll('path.device-marker').length"); n == 0 {
		t.Fatal("the map shows no device")
	}
	// Click a device the settled epoch explains (paid devices are in its
	// top list); any device in view otherwise.
	paid := map[string]bool{}
	for _, r := range reward.Rewards {
		paid[r.Device] = true
	}
	marker := "path.device-marker"
	for _, d := range strings.Fields(explorertest.Eval[string](t, b, "Array.from(document.querySelectorAll('path.device-marker')).map(e => e.dataset.device).join(' ')")) {
		if paid[d] {
			marker = `path.device-marker[data-device="` + d + `"]`
			break
		}
	}
	t.Logf("clicking %s", marker)
	b.Do(t, "click a device", chromedp.Click(marker))
	// The page opens at the device's latest epoch, which may be newer than
	// the indexer's explanations: the reasons are checked at the settled
	// epoch below.
	b.WaitFor(t, "device page", "location.pathname.startsWith('/devices/pin1') && !!document.querySelector('#devmap')")
	b.Shoot(t, "map-click-device")
	b.Clean(t, "map click")
	b.Do(t, "paid device", chromedp.Navigate(fmt.Sprintf("%s/devices/%s?epoch=%d", base, dev, settled)))
	b.WaitFor(t, "reasons", "!!document.querySelector('#reasons')")
	if n := explorertest.Eval[int](t, b, "document.querySelectorAll('table.reasons tbody tr').length"); n == 0 {
		t.Error("the paid device's page lists no reasons")
	}

	// Search finds a device, an address, a tx hash and a height.
	h := fmt.Sprint(blocks.Blocks[0].Height)
	for q, want := range map[string]string{
		dev:                     "/devices/" + dev,
		owner:                   "/accounts/" + owner,
		strings.ToLower(txHash): "/txs/" + txHash,
		h:                       "/blocks/" + h,
	} {
		b.Do(t, "search "+q, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", q), chromedp.Submit("#q"))
		b.WaitFor(t, "search result for "+q, "location.pathname === '"+want+"'")
		b.Clean(t, "search "+q)
	}
	// Phone width: the device page is readable without sideways scrolling.
	b.Do(t, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/devices/"+dev))
	b.WaitFor(t, "phone device page", "!!document.querySelector('.chart canvas')")
	if w := explorertest.Eval[int](t, b, "document.documentElement.scrollWidth"); w > 420 {
		t.Errorf("phone width: the page is %d px wide at 390 px", w)
	}
	b.Shoot(t, "device-phone")
	b.Clean(t, "phone")
}
