package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/sim"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// Bounds of the fleet test.
const (
	fleetDevices     = 40
	fleetAdversaries = 0.25
	fleetEpochBlocks = 30
	fleetBeaconSpan  = 30 * time.Second
	fleetMinEpochs   = 3
	fleetTimeout     = 3 * time.Minute
)

// setGenesisParams rewrites the param overrides of an initialised home's
// genesis (before its first start).
func setGenesisParams(t *testing.T, home string, ps map[string]uint64) {
	t.Helper()
	path := filepath.Join(home, "config", "genesis.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(doc["app_state"], &st); err != nil {
		t.Fatal(err)
	}
	st["params"], _ = json.Marshal(ps)
	doc["app_state"], _ = json.Marshal(st)
	out, _ := json.MarshalIndent(doc, "", "  ")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fleetDevnet is a devnet node with its fleet, in process on loopback.
type fleetDevnet struct {
	n      *node.Node
	fleet  *sim.Fleet
	rpc    *client.Client
	oracle string
}

func startFleetDevnet(t *testing.T, ctx context.Context) *fleetDevnet {
	t.Helper()
	home := t.TempDir()
	if err := initDevnet(home, io.Discard); err != nil {
		t.Fatal(err)
	}
	// Short epochs and grace: an epoch every ~7 s at 200 ms blocks.
	setGenesisParams(t, home, map[string]uint64{"epoch.blocks": fleetEpochBlocks, "reward.segment_grace_blocks": 10})
	ac, err := node.LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	ac.API.Listen = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Ingest.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Ingest.Service.SegmentMaxAge = time.Second
	ac.Oracle.Service.ListenAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Oracle.Service.PollInterval = 300 * time.Millisecond
	if err := node.WriteAppConfig(home, ac); err != nil {
		t.Fatal(err)
	}
	logs := &tailBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	n, err := node.Open(home, node.Overrides{
		RPCListen: fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
	}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := addServices(n, logger); err != nil {
		t.Fatal(err)
	}
	f, err := newFleet(n, home, fleetDevices, fleetAdversaries, logger, func(c *sim.Config) {
		c.FirstBeaconSpan = fleetBeaconSpan
		c.ClaimInterval = time.Second
		c.ReplayInterval = 500 * time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	nodeDone, fleetDone := make(chan error, 1), make(chan error, 1)
	go func() { nodeDone <- n.Run(ctx) }()
	go func() { fleetDone <- f.Run(ctx) }()
	t.Cleanup(func() {
		f.Close()
		if err := <-fleetDone; err != nil {
			t.Errorf("fleet Run: %v", err)
		}
		if err := <-nodeDone; err != nil {
			t.Errorf("node Run: %v", err)
		}
		if t.Failed() {
			t.Logf("node log tail:\n%s", logs.Tail(60))
		}
	})
	rpc, err := client.New(n.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	return &fleetDevnet{n: n, fleet: f, rpc: rpc, oracle: "http://" + ac.Oracle.Service.ListenAddr}
}

// TestFleetEndToEnd runs a devnet with a fleet of 40 devices, a quarter of
// them cheating, over at least three settled epochs, then checks every
// report's fate: honest devices earn, each adversary class's forged reports
// get the reasons of its cheat and earn nothing, replays are refused at
// ingest, owners' balances grow by exactly their claims less fees, and
// every settled epoch replays to its root.
func TestFleetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet with a simulated fleet for about a minute")
	}
	ctx, cancel := context.WithTimeout(context.Background(), fleetTimeout)
	defer cancel()
	dn := startFleetDevnet(t, ctx)
	select {
	case <-dn.fleet.Ready():
	case <-ctx.Done():
		t.Fatal("fleet not ready in time")
	}
	members := dn.fleet.Members()
	before := make(map[string][2]uint64) // owner -> balance, sequence
	for _, st := range dn.fleet.OwnerStats() {
		acc, err := dn.rpc.Account(ctx, st.Owner)
		if err != nil {
			t.Fatal(err)
		}
		before[st.Owner.String()] = [2]uint64{acc.Balance, acc.Sequence}
	}
	// Every first beacon is sent within the span; wait for the epoch
	// running then to settle, and at least fleetMinEpochs overall.
	time.Sleep(fleetBeaconSpan + 2*time.Second)
	target := max(reward.CurrentEpoch(dn.n.App.Committed()).Number, fleetMinEpochs-1)
	for {
		if set, ok := reward.LatestSettlement(dn.n.App.Committed()); ok && set.Epoch >= target {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("epoch %d not settled in time", target)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // a few claim rounds on the latest settlement
	if err := dn.fleet.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // let an in-flight claim commit
	last, _ := reward.LatestSettlement(dn.n.App.Committed())
	t.Logf("settled epochs 0..%d", last.Epoch)

	// Replay matches for every settled epoch.
	src := replay.NewHTTPSource(dn.oracle, "")
	for e := uint64(0); e <= last.Epoch; e++ {
		res, err := score.Replay(ctx, &replay.RPCChain{Client: dn.rpc}, src, chain.Kinds(), e, geo.H3{})
		if err != nil {
			t.Fatalf("replay epoch %d: %v", e, err)
		}
		if !res.Match {
			t.Errorf("replay epoch %d: got root %s, settled %s", e, res.ReplayRoot, res.ChainRoot)
		}
	}

	// The CLI replays the same range with one line per epoch.
	out := mustRun(t, t.TempDir(), "", "rewards", "replay", "--epoch", "0", "--to", strconv.FormatUint(last.Epoch, 10),
		"--node", dn.rpc.URL(), "--oracle", dn.oracle)
	if n := strings.Count(out, ": match ("); uint64(n) != last.Epoch+1 {
		t.Errorf("rewards replay --to: got %d matches, want %d:\n%s", n, last.Epoch+1, out)
	}

	settled := checkFleetReports(t, ctx, dn, src, members, last.Epoch)
	checkFleetClaims(t, ctx, dn, members, before, settled)
}

// verdict is the oracle's word on one report.
type verdict struct {
	epoch  uint64
	reason coverage.Reason
	share  uint64
}

// checkFleetReports checks every device's reports against the oracle's
// explanations of epochs 0..last and returns each device's settled total.
func checkFleetReports(t *testing.T, ctx context.Context, dn *fleetDevnet, src *replay.HTTPSource, members []sim.Member, last uint64) map[ledger.Address]uint64 {
	settled := map[ledger.Address]uint64{}
	forbiddenHonest := map[coverage.Reason]bool{
		coverage.ReasonRSSIAboveFSPL: true, coverage.ReasonMaxDistance: true, coverage.ReasonBelowMinDistance: true,
		coverage.ReasonInvalidPacket: true, coverage.ReasonInvalidFrequency: true, coverage.ReasonInvalidRegion: true,
		coverage.ReasonSelfWitness: true, coverage.ReasonNotAsserted: true, coverage.ReasonUnknownDevice: true,
		coverage.ReasonIrregularInterval: true,
	}
	// The reasons that expose each class's forged witnesses.
	signature := map[sim.Class][]coverage.Reason{
		sim.Spoofer: {coverage.ReasonMaxDistance},
		sim.Forger:  {coverage.ReasonRSSIAboveFSPL},
		sim.Clique:  {coverage.ReasonRSSIAboveFSPL, coverage.ReasonMaxDistance},
	}
	exposed := map[sim.Class]int{}
	eavesdropped := map[string]int{} // reasons of the eavesdroppers' scored witnesses
	honest, earned := 0, 0
	replays := map[ingestv1.Status]int{}
	for _, m := range members {
		dev := ledger.Address(m.Key.Address())
		verdicts := map[string]verdict{}
		var cumulative uint64
		for e := uint64(0); e <= last; e++ {
			ex, err := src.Explanation(ctx, e, dev)
			if err != nil {
				t.Fatalf("explanation of %s (%s) in epoch %d: %v", dev, m.Class, e, err)
			}
			cumulative = ex.Cumulative
			settled[dev] = cumulative
			for _, r := range ex.Reports {
				reason, err := coverage.ParseReason(r.Reason)
				if err != nil {
					t.Fatalf("report %s: %v", r.ID, err)
				}
				verdicts[r.ID] = verdict{epoch: e, reason: reason, share: r.Share}
				if m.Class == sim.Honest && forbiddenHonest[reason] {
					t.Errorf("honest device %d: %s report %s in epoch %d got %s (%s), want no physics or packet failure", m.Index, r.Role, r.ID[:16], e, r.Reason, r.Detail)
				}
			}
		}
		switch m.Class {
		case sim.Honest:
			honest++
			if cumulative > 0 {
				earned++
			}
		case sim.Spoofer, sim.Forger, sim.Eavesdropper:
			if cumulative != 0 {
				t.Errorf("%s %d: earned %d upin, want 0", m.Class, m.Index, cumulative)
			}
		}
		for _, rec := range dn.fleet.Records(m.Index) {
			if rec.Kind == sim.KindReplay {
				replays[rec.Status]++
				// A replay older than the entropy window is refused for
				// that before its nonce is looked at.
				switch rec.Status {
				case ingestv1.Status_STATUS_REPLAY, ingestv1.Status_STATUS_DUPLICATE, ingestv1.Status_STATUS_STALE_ENTROPY:
				default:
					t.Errorf("replayer %d: ingest answered a replay %s (%s), want REPLAY, DUPLICATE or STALE_ENTROPY", m.Index, rec.Status, rec.Message)
				}
				continue
			}
			if !rec.Forged || rec.Status != ingestv1.Status_STATUS_ACCEPTED {
				continue
			}
			v, ok := verdicts[rec.Hash]
			if !ok {
				continue // in an epoch not settled yet
			}
			if v.reason == coverage.ReasonValid || v.share != 0 {
				t.Errorf("%s %d: forged %s %s in epoch %d got %s with share %d, want rejected", m.Class, m.Index, rec.Kind, rec.Hash[:16], v.epoch, v.reason, v.share)
			}
			if m.Class == sim.Eavesdropper && rec.Kind == sim.KindWitness {
				eavesdropped[v.reason.String()]++
			}
			for _, r := range signature[m.Class] {
				if v.reason == r && rec.Kind == sim.KindWitness {
					exposed[m.Class]++
				}
			}
		}
	}
	t.Logf("honest devices earning: %d of %d; forged witnesses exposed by class: %v; replay answers: %v", earned, honest, exposed, replays)
	// Only the very first beaconer cannot pass reciprocity (HIP-106)
	// before it beacons again, six hours later: the fleet's first beacons
	// spread outward from it.
	if earned < honest-1 {
		t.Errorf("got %d of %d honest devices earning, want all but at most the first beaconer", earned, honest)
	}
	for c := range signature {
		if exposed[c] == 0 {
			t.Errorf("%s: got no forged witness rejected with %v", c, signature[c])
		}
	}
	// Issue 19: while epochs ran, the public feed refused the
	// eavesdroppers' reads.
	refused, served := dn.fleet.FeedReads()
	t.Logf("eavesdroppers: %d segment reads refused, %d served; their scored witnesses by reason: %v", refused, served, eavesdropped)
	if refused == 0 {
		t.Errorf("eavesdroppers: got %d refused and %d served segment reads, want reads refused while epochs run", refused, served)
	}
	if len(eavesdropped) == 0 {
		t.Errorf("eavesdroppers: no witness of theirs was scored, want some, each with an invalid reason")
	}
	if replays[ingestv1.Status_STATUS_REPLAY] == 0 {
		t.Errorf("got replay answers %v, want some REPLAY", replays)
	}
	return settled
}

// checkFleetClaims checks that each owner's balance moved by exactly what
// its devices claimed on chain less one fee per transaction since the
// fleet was onboarded (every later transaction of an owner is a claim),
// and that no device claimed more than its settled total.
func checkFleetClaims(t *testing.T, ctx context.Context, dn *fleetDevnet, members []sim.Member, before map[string][2]uint64, settled map[ledger.Address]uint64) {
	st := dn.n.App.Committed()
	fee := params.Get(st, bank.MinFee)
	owners := dn.fleet.OwnerStats()
	claimedBy := map[ledger.Address]uint64{}
	var total uint64
	for _, m := range members {
		dev := ledger.Address(m.Key.Address())
		c := reward.Claimed(st, dev)
		if c > settled[dev] {
			t.Errorf("device %d: claimed %d, more than its settled total %d", m.Index, c, settled[dev])
		}
		claimedBy[owners[m.Owner].Owner] += c
		total += c
	}
	if total == 0 {
		t.Errorf("got nothing claimed, want the owners' claims on chain")
	}
	for _, o := range owners {
		acc, err := dn.rpc.Account(ctx, o.Owner)
		if err != nil {
			t.Fatal(err)
		}
		b := before[o.Owner.String()]
		txs := acc.Sequence - b[1]
		want := b[0] + claimedBy[o.Owner] - txs*fee
		if acc.Balance != want {
			t.Errorf("owner %s: got balance %d, want %d (%d before + %d claimed - %d txs × fee %d)",
				o.Owner, acc.Balance, want, b[0], claimedBy[o.Owner], txs, fee)
		}
		if claimedBy[o.Owner] > 0 && acc.Balance <= b[0] {
			t.Errorf("owner %s: balance went from %d to %d despite %d claimed", o.Owner, b[0], acc.Balance, claimedBy[o.Owner])
		}
	}
}
