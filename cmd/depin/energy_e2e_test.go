package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/energy"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
)

// TestEnergyDevnetEndToEnd runs a devnet initialised with the energy fleet
// for several 10-second intervals: households trade, every interval that
// cleared settles with its lines, and the three adversaries are caught and
// paid nothing for energy they did not deliver: the over-reporter has a
// settlement line penalising a sale with the reason its read measured
// nothing (production_above_peers, gap or no_read) and no payment line;
// the backwards meter is paid nothing for the interval of a refused read
// nor the gap interval after it; the early seller's reads are early and
// it is never paid; and in every reward epoch that settles within the
// bound the adversaries' devices earn nothing (their traded-energy share
// is pro rata to payment lines, which they have none of for false reads).
func TestEnergyDevnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet with the energy simulation for about two minutes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	home := devnetHome(t, "depin-energy-e2e-", "energy")
	setGenesisParams(t, home, map[string]uint64{kenergy.IntervalSeconds.Name: 10, energy.GateSeconds.Name: 3, energy.ReadWindow.Name: 5})
	n, ac, logger, logs := openDevnetNode(t, home, nil)
	s, err := newEnergySim(fleetEnv{node: n, home: home, out: io.Discard, logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopRun := context.WithCancel(ctx)
	nodeDone, simDone := make(chan error, 1), make(chan error, 1)
	go func() { nodeDone <- n.Run(runCtx) }()
	go func() { simDone <- s.Run(runCtx) }()
	defer func() {
		stopRun()
		if err := <-simDone; err != nil {
			t.Errorf("simulation: %v", err)
		}
		if err := <-nodeDone; err != nil {
			t.Errorf("node Run: %v", err)
		}
		if t.Failed() {
			t.Logf("log tail:\n%s", logs.Tail(60))
		}
	}()

	devs := s.Households()
	name := map[ledger.Address]string{}
	for h, a := range devs {
		name[a] = h
	}
	// Wait for six settled intervals with trades and every adversary's
	// refusals.
	type tally struct{ paid, penalties uint64 }
	var settled int
	var per map[string]*tally
	var reasons map[string]int
	// Lines of the adversaries: the over-reporter's penalties by reason,
	// the backwards meter's payments by interval, and the settled
	// intervals.
	var overPenalties map[string]int
	var backPaid map[uint64]uint64
	var settledIv map[uint64]bool
	var refused []uint64
	caughtBackwards := func() bool {
		for _, f := range refused {
			if settledIv[f] && settledIv[f+1] {
				return true
			}
		}
		return false
	}
	for {
		if ctx.Err() != nil {
			t.Fatalf("timed out: %d settled intervals with trades; over-reporter penalties %v; backwards refused at %v; stats %v",
				settled, overPenalties, refused, s.Stats())
		}
		time.Sleep(time.Second)
		st := n.App.Committed()
		settled, per, reasons = 0, map[string]*tally{}, map[string]int{}
		overPenalties, backPaid, settledIv = map[string]int{}, map[uint64]uint64{}, map[uint64]bool{}
		refused = s.RefusedReads()["backwards"]
		for h := range devs {
			per[h] = &tally{}
		}
		for _, c := range energy.Clearings(st, 0, energy.MaxLimit) {
			if !c.Settled {
				continue
			}
			if c.TradedWh > 0 {
				settled++
			}
			settledIv[c.Interval] = true
			for _, l := range energy.LinesOf(st, c.Interval, c.Zone) {
				h := name[ledger.Address(l.Device)]
				reasons[l.Reason]++
				switch l.Kind {
				case energy.LinePayment:
					per[h].paid += l.Amount
					if h == "backwards" {
						backPaid[l.Interval] += l.Amount
					}
				case energy.LinePenalty:
					per[h].penalties += l.Amount
					if h == "overreporter" {
						overPenalties[l.Reason]++
					}
				}
			}
		}
		stats := s.Stats()
		overCaught := overPenalties[energy.ReasonAbovePeers]+overPenalties[energy.ReasonGap]+overPenalties[energy.ReasonNoRead] > 0
		if settled >= 6 && stats["backwards"]["read_counter_backwards"] > 0 && caughtBackwards() &&
			stats["earlyseller"]["read_read_early"] > 0 && overCaught {
			break
		}
	}
	// The backwards meter: nothing paid for an interval whose read was
	// refused, nor for the interval after (a gap: not measured).
	for _, f := range refused {
		if backPaid[f]+backPaid[f+1] != 0 {
			t.Errorf("backwards meter read refused at interval %d, paid %d for it and %d for the next", f, backPaid[f], backPaid[f+1])
		}
	}
	if per["overreporter"].paid != 0 || per["earlyseller"].paid != 0 {
		t.Errorf("adversaries paid: over-reporter %d, early seller %d; want 0", per["overreporter"].paid, per["earlyseller"].paid)
	}
	var honest uint64
	for h, tl := range per {
		if h != "overreporter" && h != "earlyseller" && h != "backwards" {
			honest += tl.paid
		}
	}
	if honest == 0 {
		t.Errorf("honest households were paid nothing in %d settled intervals (lines by reason %v)", settled, reasons)
	}
	// The CLI answers the energy queries and places orders.
	cli := func(args ...string) (string, error) {
		out, errOut, err := cliRun(t, home, "", append(args, "--node", n.RPCURL(), "--keyring-backend", "test")...)
		if err != nil {
			return out + errOut, err
		}
		return out, nil
	}
	var ivs struct {
		Intervals []energy.ClearingView `json:"intervals"`
	}
	out, err := cli("query", "energy", "intervals", "-o", "json")
	if err != nil {
		t.Fatalf("query energy intervals: %v\n%s", err, out)
	}
	jsonOut(t, out, &ivs)
	var done *energy.ClearingView
	for i := range ivs.Intervals {
		if c := &ivs.Intervals[i]; c.Settled && c.TradedWh > 0 {
			done = c
			break
		}
	}
	if done == nil {
		t.Fatalf("query energy intervals lists no settled interval with trades: %+v", ivs)
	}
	if out, err := cli("query", "energy", "clearing", done.Zone, fmt.Sprint(done.Interval)); err != nil || !strings.Contains(out, "payment") || !strings.Contains(out, "settled") {
		t.Fatalf("query energy clearing: %v\n%s", err, out)
	}
	if out, err := cli("query", "energy", "settlement", devs["backwards"].String()); err != nil || !strings.Contains(out, "REASON") {
		t.Fatalf("query energy settlement: %v\n%s", err, out)
	}
	if out, err := cli("query", "energy", "certificates", energyOwnerKey("house01")); err != nil || !strings.Contains(out, "metered consumption") {
		t.Fatalf("query energy certificates: %v\n%s", err, out)
	}
	if out, err := cli("tx", "energy", "bid", energyOwnerKey("house01"), devs["house01"].String(), "--wh", "5", "--price", "250000", "--ahead", "3", "-y"); err != nil {
		t.Fatalf("tx energy bid: %v\n%s", err, out)
	}
	if out, err := cli("tx", "energy", "bid", energyOwnerKey("house01"), devs["house01"].String(), "--wh", "5", "--price", "250000", "--interval", "1", "-y"); err == nil || !strings.Contains(out+err.Error(), "gate_closed") {
		t.Fatalf("tx energy bid for a past interval: %v\n%s", err, out)
	}
	// Rewards: in every epoch that settled within the bound, the
	// adversaries' devices earn nothing.
	src := replay.NewHTTPSource("http://"+ac.Oracle.Service.ListenAddr, "")
	epochs := 0
	for e := uint64(0); ; e++ {
		if _, ok := reward.GetSettlement(n.App.Committed(), e); !ok {
			break
		}
		epochs++
		for _, h := range []string{"overreporter", "backwards", "earlyseller"} {
			ex, err := src.Explanation(ctx, e, devs[h])
			if err != nil {
				t.Fatalf("explanation of %s in epoch %d: %v", h, e, err)
			}
			if ex.Payout != 0 {
				t.Errorf("%s was paid %d in epoch %d", h, ex.Payout, e)
			}
		}
	}
	if err := n.App.CheckInvariants(n.App.Committed()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d settled intervals with trades; %d reward epochs settled; over-reporter penalties %v; backwards refused at %v; lines by reason %v; stats %v",
		settled, epochs, overPenalties, refused, reasons, s.Stats())
}
