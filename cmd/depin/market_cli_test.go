package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/market"
)

// TestCLIMarket runs the market's lifecycle through the CLI: a provider
// registers and bids, a consumer orders, accepts and tops up, the lease
// streams and closes, credits are bought and a signed receipt is
// submitted; queries answer in text and JSON; rejections exit non-zero.
func TestCLIMarket(t *testing.T) {
	n := newCLINode(t)
	n.ok("tx", "market", "create-provider", "bob", "--host-uri", "https://bob.example", "--attr", "region=eu")
	n.ok("tx", "market", "create-order", "alice", "--kind", "compute", "--quantity", "2", "--max-price", "500upin",
		"--duration", "1000", "--deposit", "1pin", "--attr", "region=eu")
	if _, err := n.run("tx", "market", "bid", "bob", "1", "--price", "501upin"); err == nil || !strings.Contains(err.Error(), "price_above_max (305)") {
		t.Fatalf("bid above max: %v", err)
	}
	n.ok("tx", "market", "bid", "bob", "1", "--price", "400upin")
	var bids market.BidsPage
	jsonOut(t, n.ok("query", "market", "bids", "--order", "1", "-o", "json"), &bids)
	if len(bids.Bids) != 1 || bids.Bids[0].Price != 400 || bids.Bids[0].Collateral != market.MinCollateral.Default {
		t.Fatalf("bids %+v", bids)
	}
	if _, err := n.run("tx", "market", "accept", "bob", "1", "bob"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("accept by a non-owner: %v", err)
	}
	n.ok("tx", "market", "accept", "alice", "1", "bob")
	n.ok("tx", "market", "deposit", "bob", "1", "0.25pin")
	for range 12 {
		if _, err := n.chain.Block(); err != nil {
			t.Fatal(err)
		}
	}
	var l market.LeaseView
	jsonOut(t, n.ok("query", "market", "lease", "1", "-o", "json"), &l)
	if l.State != "active" || l.Rate != 800 || l.Deposited != 1_250_000 || len(l.Depositors) != 2 || l.Paid == 0 {
		t.Fatalf("lease %+v", l)
	}
	if out := n.ok("query", "market", "lease", "1"); !strings.Contains(out, "next settlement at height") {
		t.Fatalf("lease text %q", out)
	}
	n.ok("tx", "market", "close-lease", "alice", "1")
	if _, err := n.run("tx", "market", "close-lease", "alice", "1"); err == nil || !strings.Contains(err.Error(), "lease_closed") {
		t.Fatalf("close twice: %v", err)
	}
	var leases market.LeasesPage
	jsonOut(t, n.ok("query", "market", "leases", "--owner", "alice", "--state", "closed", "-o", "json"), &leases)
	if len(leases.Leases) != 1 || leases.Leases[0].CloseReason != "owner_closed" {
		t.Fatalf("closed leases %+v", leases)
	}
	for _, q := range [][]string{{"providers"}, {"orders", "--state", "closed"}, {"provider", "bob"}, {"auditors"}} {
		n.ok(append([]string{"query", "market"}, q...)...)
	}

	n.ok("tx", "credits", "buy", "alice", "1000")
	line := n.ok("tx", "market", "sign-receipt", "alice", "--provider", "bob", "--kind", "relay", "--units", "4096",
		"--credits", "30", "--nonce", "1", "--period", "2:3")
	file := filepath.Join(t.TempDir(), "receipts.jsonl")
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	n.ok("tx", "market", "submit-receipts", "bob", file)
	if _, err := n.run("tx", "market", "submit-receipts", "bob", file); err == nil || !strings.Contains(err.Error(), "receipt_replayed") {
		t.Fatalf("replayed receipt: %v", err)
	}
	var cv credit.View
	jsonOut(t, n.ok("query", "credits", "alice", "-o", "json"), &cv)
	if cv.Address != clienttest.Addr("alice").String() || cv.Credits != 970 || cv.Spent != 30 || cv.BurnedUpin != 1000*credit.PriceUpin.Default {
		t.Fatalf("credits %+v", cv)
	}
	n.ok("tx", "market", "update-provider", "bob", "--host-uri", "https://bob.example/v2", "--attr", "region=us,gpu=a100")
	var pv market.ProviderView
	jsonOut(t, n.ok("query", "market", "provider", "bob", "-o", "json"), &pv)
	if pv.CreditsEarned != 30 || pv.Leases != 1 || pv.HostURI != "https://bob.example/v2" || len(pv.Attributes) != 2 {
		t.Fatalf("provider %+v", pv)
	}
}

func jsonOut(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
}
