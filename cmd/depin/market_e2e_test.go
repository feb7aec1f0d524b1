package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/sim/marketsim"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// TestMarketDevnetEndToEnd runs a devnet initialised with the market fleet and its
// market simulation: consumer0's lease runs dry and the sweep closes it
// with no transaction sent, the other consumers' leases stay funded, the
// pay-per-use consumer's receipts are paid and a settled epoch forwards
// its usage pool to the providers; the JSON API answers the market routes.
func TestMarketDevnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet with the market simulation for about a minute")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	home := devnetHome(t, "depin-market-e2e-", "market")
	setGenesisParams(t, home, map[string]uint64{"epoch.blocks": 30, "reward.segment_grace_blocks": 5,
		market.MinDeposit.Name: 10_000, market.SettlePeriod.Name: 5})
	n, ac, logger, logs := openDevnetNode(t, home, func(ac *node.AppConfig) {
		ac.Oracle.Service.PollInterval = 300 * time.Millisecond
	})
	s, err := newMarketSim(n, home, logger, func(c *marketsim.Config) {
		c.Interval, c.DryBlocks, c.FundedBlocks = 300*time.Millisecond, 30, 200
	})
	if err != nil || s == nil {
		t.Fatalf("market simulation: %v", err)
	}
	runCtx, stopRun := context.WithCancel(ctx)
	nodeDone, simDone := make(chan error, 1), make(chan error, 1)
	go func() { nodeDone <- n.Run(runCtx) }()
	go func() { simDone <- s.Run(runCtx) }()
	defer func() {
		stopRun()
		<-simDone
		if err := <-nodeDone; err != nil {
			t.Errorf("node Run: %v", err)
		}
		if t.Failed() {
			t.Logf("log tail:\n%s", logs.Tail(80))
		}
	}()

	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	addrOf := func(name string) ledger.Address {
		k, err := kr.PrivateKey(name)
		if err != nil {
			t.Fatal(err)
		}
		return ledger.AddressOf(sig.PublicOf(k))
	}
	dry, funded := addrOf(devConsumers[0]), addrOf(devConsumers[1])
	var closed *marketv1.Lease
	usagePaid := false
	for closed == nil || !usagePaid {
		if ctx.Err() != nil {
			t.Fatalf("timed out: dry lease closed %v, usage pool paid %v; stats %+v", closed != nil, usagePaid, s.Stats())
		}
		time.Sleep(500 * time.Millisecond)
		st := n.App.Committed()
		if closed == nil {
			ls, _ := market.ListLeases(st, market.LeaseFilter{Owner: &dry, State: marketv1.LeaseState_LEASE_STATE_CLOSED}, market.Page{})
			if len(ls) > 0 {
				closed = ls[0]
			}
		}
		if set, ok := reward.LatestSettlement(st); ok && !usagePaid {
			for e := uint64(0); e <= set.Epoch; e++ {
				if s, ok := reward.GetSettlement(st, e); ok {
					for _, p := range s.Forwarded {
						usagePaid = usagePaid || (p.Name == "usage" && p.Paid > 0)
					}
				}
			}
		}
	}
	if closed.CloseReason != market.ReasonInsufficientFunds || closed.Refunded >= closed.Rate || closed.SettledHeight != closed.ClosedHeight {
		t.Fatalf("consumer0's lease closed %+v, want insufficient_funds at the last block it paid", closed)
	}
	// The funded consumer's lease is still running.
	st := n.App.Committed()
	if ls, _ := market.ListLeases(st, market.LeaseFilter{Owner: &funded, State: marketv1.LeaseState_LEASE_STATE_ACTIVE}, market.Page{}); len(ls) != 1 {
		t.Fatalf("consumer1 has %d active leases, want 1", len(ls))
	}
	// The JSON API serves the market's reads.
	resp, err := http.Get(fmt.Sprintf("http://%s/v1/market/leases/%d", ac.API.Listen, closed.Id))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lv market.LeaseView
	if err := json.NewDecoder(resp.Body).Decode(&lv); err != nil || resp.StatusCode != http.StatusOK || lv.CloseReason != "insufficient_funds" {
		t.Fatalf("GET /v1/market/leases/%d: %d %+v %v", closed.Id, resp.StatusCode, lv, err)
	}
	if err := n.App.CheckInvariants(st); err != nil {
		t.Fatal(err)
	}
	t.Logf("lease %d closed for insufficient funds at height %d; stats %+v", closed.Id, closed.ClosedHeight, s.Stats())
}
