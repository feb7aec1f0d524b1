package main

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/dataaccess"
	"github.com/depin-network/depin/internal/dataservice"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/kind/mobile"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/sim/sensorsim"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// TestSensorMobileDevnetEndToEnd runs a devnet with the sensor and mobile
// fleets over at least three 20-second epochs: honest stations, vehicles
// and radios earn; the heater, copier, replayer, GNSS spoofer and
// speedtest faker are caught with their reasons and earn nothing in the
// epochs they cheat; the cluster of three shares one reward; every settled
// epoch replays to the root on chain.
func TestSensorMobileDevnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet with the sensor and mobile fleets for about two minutes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 170*time.Second)
	defer cancel()
	home := devnetHome(t, "depin-sensor-e2e-", "sensor", "mobile")
	mergeGenesisParams(t, home, map[string]uint64{"epoch.blocks": 100, mobile.Name + ".min_heartbeats": 5})
	n, ac, logger, logs := openDevnetNode(t, home, func(ac *node.AppConfig) {
		ac.Data.Service.Addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	})
	env := fleetEnv{node: n, home: home, out: io.Discard, logger: logger}
	sims := map[string]*sensorsim.Sim{}
	for _, k := range []string{"sensor", "mobile"} {
		s, err := newSensorSim(env, k)
		if err != nil {
			t.Fatal(err)
		}
		sims[k] = s
	}
	runCtx, stopRun := context.WithCancel(ctx)
	nodeDone := make(chan error, 1)
	simDone := make(chan error, 2)
	go func() { nodeDone <- n.Run(runCtx) }()
	for _, s := range sims {
		go func() { simDone <- s.Run(runCtx) }()
	}
	defer func() {
		stopRun()
		for range sims {
			if err := <-simDone; err != nil {
				t.Errorf("simulation: %v", err)
			}
		}
		if err := <-nodeDone; err != nil {
			t.Errorf("node Run: %v", err)
		}
		if t.Failed() {
			t.Logf("log tail:\n%s", logs.Tail(60))
		}
	}()

	// Epochs 1..4 hold reports (epoch 0 is the setup); wait for epoch 4.
	const last = 4
	for {
		if _, ok := reward.GetSettlement(n.App.Committed(), last); ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("epoch %d not settled in time", last)
		}
		time.Sleep(time.Second)
	}
	rpc, err := client.New(n.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	src := replay.NewHTTPSource("http://"+ac.Oracle.Service.ListenAddr, "")
	for e := uint64(0); e <= last; e++ {
		res, err := score.Replay(ctx, &replay.RPCChain{Client: rpc}, src, chain.Kinds(), e, geo.H3{})
		if err != nil {
			t.Fatalf("replay epoch %d: %v", e, err)
		}
		if !res.Match {
			t.Errorf("replay epoch %d: got root %s, settled %s", e, res.ReplayRoot, res.ChainRoot)
		}
	}

	members := map[ledger.Address]*sensorsim.Member{}
	for _, s := range sims {
		for a, m := range s.Members() {
			members[a] = m
		}
	}
	// The reason each adversary must show, and whether it may earn in an
	// epoch where it shows it.
	want := map[sensorsim.Class]string{sensorsim.Heater: "neighbour_disagreement", sensorsim.Copier: "copied_stream",
		sensorsim.Replayer: "replayed_stream", sensorsim.Spoofer: "gnss_jump", sensorsim.Faker: "implausible"}
	earnedHonest, honest, clusterShared := 0, 0, 0
	for a, m := range members {
		seen, paid := map[string]bool{}, uint64(0)
		for e := uint64(1); e <= last; e++ {
			ex, err := src.Explanation(ctx, e, a)
			if err != nil {
				t.Fatalf("explanation of %s (%s) in epoch %d: %v", m.Name, m.Class, e, err)
			}
			reasons := map[string]bool{}
			for _, r := range ex.Reports {
				reasons[r.Reason] = true
				seen[r.Reason] = true
			}
			if w, bad := want[m.Class]; bad && reasons[w] && ex.Payout != 0 {
				t.Errorf("%s (%s) was paid %d in epoch %d with %s reports", m.Name, m.Class, ex.Payout, e, w)
			}
			if m.Class == sensorsim.Cluster && ex.Stat("cluster_size") >= 3 && ex.Payout > 0 {
				clusterShared++
			}
			paid += ex.Payout
		}
		switch w, bad := want[m.Class]; {
		case bad && !seen[w]:
			t.Errorf("%s (%s): reasons %v, want %s", m.Name, m.Class, seen, w)
		case bad && m.Class != sensorsim.Replayer && paid != 0:
			t.Errorf("%s (%s) was paid %d", m.Name, m.Class, paid)
		case m.Class == sensorsim.Honest:
			honest++
			if paid > 0 {
				earnedHonest++
			} else {
				t.Logf("honest %s earned nothing: reasons %v", m.Name, seen)
			}
		}
	}
	if earnedHonest < honest*3/4 {
		t.Errorf("%d of %d honest devices earned", earnedHonest, honest)
	}
	if clusterShared == 0 {
		t.Error("the cluster of three never shared a reward")
	}
	// The owner grants dev1 a station's temperature; dev1 reads it from
	// the node's data service, fed by ingest.
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	owner, _ := kr.PrivateKey(simOwnerKey("sensor"))
	reader, _ := kr.PrivateKey("dev1")
	var station ledger.Address
	for a, m := range members {
		if m.Name == "s0" {
			station = a
		}
	}
	readerAddr := ledger.AddressOf(sig.PublicOf(reader))
	now := time.Now().Unix()
	g, _ := proto.Marshal(&datav1.MsgGrant{Device: station[:], Grantee: readerAddr[:], Channels: []string{"temperature"}, NotBefore: now - 3600, NotAfter: now + 3600})
	if _, err := rpc.SignAndSend(ctx, owner, client.Tx{Msgs: []*txv1.Msg{{Type: dataaccess.TypeGrant, Value: g}}, Fee: params.Get(n.App.Committed(), bank.MinFee)}); err != nil {
		t.Fatalf("grant: %v", err)
	}
	dc := &dataservice.Client{URL: "http://" + ac.Data.Service.Addr, Key: reader}
	rs, err := dc.Read(ctx, station, []string{"temperature"}, 0)
	if err != nil || len(rs) == 0 {
		t.Fatalf("data read as grantee: %d readings, %v", len(rs), err)
	}
	if _, err := dc.Read(ctx, station, []string{"humidity"}, 0); err == nil {
		t.Error("an ungranted channel was served")
	}
	if err := n.App.CheckInvariants(n.App.Committed()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d honest devices earned; stats %v", earnedHonest, honest, sims["mobile"].Stats())
}
