package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
)

// Bounds of the crash loop with ingest.
const (
	loopKills        = 20
	loopKillsShort   = 3
	loopSenders      = 4 // dev2..dev5 send transfers
	loopDevices      = 4
	loopReportsPer   = 5   // heartbeats per device per batch
	loopMaxReports   = 600 // per run of the node
	loopAckWait      = 30 * time.Second
	loopDevnetFunded = devAccounts + 2 // dev0..dev9, the ingest operator and the oracle
	loopOnboardFee   = 1_000_000       // the devnet maker's onboard fee, burned
)

// loopEnv is a devnet-like node with ingest, the client's model of the
// transfers and the devices' acknowledged reports.
type loopEnv struct {
	t       *testing.T
	n       *procNode
	m       *crashModel
	fleet   *reportFleet
	segs    *segmentReader
	known   []ledger.Address // every account that may hold funds
	ingest  ledger.Address
	checked int // m.committed[:checked] were found indexed after an earlier restart
}

// newLoopEnv initialises a devnet home with ingest on a free loopback port,
// short segments and no per-device rate limit that the load could hit, and
// the oracle off (no epoch settles within the test; supply moves only by
// the onboarding burns). It starts the node and onboards the devices.
func newLoopEnv(t *testing.T) *loopEnv {
	t.Helper()
	bin := depinBinary(t)
	home := filepath.Join(t.TempDir(), "home")
	if err := initDevnet(home, io.Discard); err != nil {
		t.Fatal(err)
	}
	ac, err := node.LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	ingestAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Ingest.Service.ListenAddr = ingestAddr
	ac.Ingest.Service.SegmentMaxAge = 300 * time.Millisecond
	ac.Ingest.Service.Rate, ac.Ingest.Service.Burst = 1_000_000, 1_000_000
	ac.Oracle.Enable = false
	if err := node.WriteAppConfig(home, ac); err != nil {
		t.Fatal(err)
	}
	e := &loopEnv{t: t, m: &crashModel{}, fleet: newReportFleet("crashloop", loopDevices), segs: newSegmentReader("http://"+ingestAddr, sig.KeyFromSeed(devSeed(devOracle)))}
	for i := range devAccounts {
		e.known = append(e.known, ledger.AddressOf(sig.PublicOf(sig.KeyFromSeed(devSeed("dev"+strconv.Itoa(i))))))
	}
	e.ingest = ledger.AddressOf(sig.PublicOf(sig.KeyFromSeed(devSeed(devIngest))))
	e.known = append(e.known, e.ingest, ledger.AddressOf(sig.PublicOf(sig.KeyFromSeed(devSeed(devOracle)))))
	for _, k := range e.fleet.keys {
		e.known = append(e.known, ledger.Address(k.Address()))
	}
	e.n = newProcNode(t, bin, home)
	e.n.start(0)
	e.fleet.onboard(t, e.n, devnetChainID, sig.KeyFromSeed(devSeed(devMaker)), sig.KeyFromSeed(devSeed("dev1")), crashFee)
	return e
}

// senders returns the transfer senders' keys and fills the model.
func (e *loopEnv) senders() []sig.PrivateKey {
	keys := make([]sig.PrivateKey, loopSenders)
	for i := range keys {
		keys[i] = sig.KeyFromSeed(devSeed("dev" + strconv.Itoa(i+2)))
		e.m.addrs = append(e.m.addrs, ledger.AddressOf(sig.PublicOf(keys[i])))
		e.m.bal = append(e.m.bal, devBalance)
	}
	return keys
}

// verify settles the transfers a kill left open, checks that the committed
// transfers not checked yet (all of them if all) are indexed with code 0,
// that the senders' balances equal the model, that the fee collector holds
// exactly the fees of the transfers, of the onboardings and of the ingest
// operator's segment commitments, and that the supply is the genesis
// supply less the onboarding burns and equals the sum of every balance.
// It returns the senders' sequences on the chain.
func (e *loopEnv) verify(all bool) []uint64 {
	t, n, m := e.t, e.n, e.m
	t.Helper()
	for _, tx := range m.uncertain {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rec, err := n.client.Tx(ctx, tx.hash)
		cancel()
		switch {
		case errors.Is(err, client.ErrTxNotFound):
			// Lost with the mempool: the client never saw it committed.
		case err != nil:
			t.Fatalf("settle open tx %s: %v", tx.hash, err)
		case rec.Code == uint32(ledger.CodeOK):
			m.commit(tx)
		default:
			t.Errorf("open tx %s: failed in block %d with %s: %s", tx.hash, rec.Height, rec.Status, rec.Log)
		}
	}
	m.uncertain = nil
	from := e.checked
	if all {
		from = 0
	}
	for _, h := range m.committed[from:] {
		rec, err := n.client.Tx(context.Background(), h)
		if err != nil {
			t.Fatalf("committed tx %s: %v", h, err)
		}
		if rec.Code != uint32(ledger.CodeOK) || rec.Hash != h {
			t.Errorf("committed tx %s: got %+v after restart, want it indexed with code 0", h, rec)
		}
	}
	e.checked = len(m.committed)
	seqs := make([]uint64, len(m.addrs))
	for i, a := range m.addrs {
		var acc query.Account
		n.query("/accounts/"+a.String(), &acc)
		if acc.Balance != m.bal[i] {
			t.Errorf("sender %d %s: got balance %d, want %d from the committed transfers", i, a, acc.Balance, m.bal[i])
		}
		seqs[i] = acc.Sequence
	}
	// The operator pays a fee for each segment commitment while the
	// fleet runs: read both accounts until they hold still.
	pair := stableReading(t, func() [2]query.Account {
		var op, fc query.Account
		n.query("/accounts/"+e.ingest.String(), &op)
		n.query("/accounts/"+bank.FeeCollector.String(), &fc)
		return [2]query.Account{op, fc}
	}, func(a, b [2]query.Account) bool { return a == b })
	op, fc := pair[0], pair[1]
	if want := m.fees + loopDevices*crashFee + (devBalance - op.Balance); fc.Balance != want {
		t.Errorf("fee collector: got %d upin, want %d (transfers %d, onboardings %d, segment commitments %d)", fc.Balance, want, m.fees, loopDevices*crashFee, devBalance-op.Balance)
	}
	total := checkSupplySum(t, n, e.known)
	if want := uint64(loopDevnetFunded*devBalance - loopDevices*loopOnboardFee); total != want {
		t.Errorf("supply: got total %d, want %d (genesis less %d onboarding burns)", total, want, loopDevices)
	}
	return seqs
}

// TestCrashLoop kills a devnet-like node (ingest on) with SIGKILL twenty
// times at random moments while clients stream signed transfers and
// devices stream signed heartbeats to ingest. After each kill it runs the
// app's invariants over a copy of the state left on disk and checks that
// it holds every block the app reported committed; after each restart it
// checks that no transfer the client saw committed is lost, the balances,
// fees and supply, and that every report ingest acknowledged is in exactly
// one segment once the batcher catches up. Under -short it kills three
// times.
func TestCrashLoop(t *testing.T) {
	kills := loopKills
	if testing.Short() {
		kills = loopKillsShort
	}
	e := newLoopEnv(t)
	n := e.n
	keys := e.senders()
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	var top, appTop int64 // the highest block height and app height seen before a kill
	for k := 0; k <= kills; k++ {
		var st client.Status
		if k == 0 {
			st = n.waitHeight(1, procReadyTimeout)
		} else {
			h, _ := checkStateOffline(t, n.home)
			if h < appTop {
				t.Errorf("state on disk after kill %d: got height %d, want at least %d, the app's last commit before the kill", k, h, appTop)
			}
			st = n.start(top)
		}
		// Let the restarted node decide the heights its WAL left open, so
		// that every transfer sent before the kill is either in a block or
		// gone with the mempool.
		n.waitHeight(st.Height+2, procReadyTimeout)
		seqs := e.verify(k == kills)
		waitAcked(t, n, e.segs, e.fleet, loopAckWait)
		if t.Failed() {
			t.Fatalf("after kill %d of %d (node output below)\n%s", k, kills, n.out.Tail(30))
		}
		if k == kills {
			break
		}
		run := crashMinRun + time.Duration(rng.Int64N(int64(crashMaxRun-crashMinRun)))
		loadRNG := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
		ctx, cancel := context.WithCancel(context.Background())
		var sent int
		var loadErr, reportErr error
		txDone, repDone := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(txDone)
			sent, loadErr = crashLoad(ctx, n.client, devnetChainID, keys, seqs, e.m, loadRNG)
		}()
		go func() {
			defer close(repDone)
			reportErr = e.fleet.run(ctx, e.segs.url, loopReportsPer, loopMaxReports)
		}()
		time.Sleep(run)
		if s, err := n.client.Status(ctx); err == nil {
			top = max(top, s.Height)
		}
		appTop = max(appTop, n.apiStatus().Height)
		n.kill()
		cancel()
		<-txDone
		<-repDone
		if loadErr != nil || reportErr != nil {
			t.Fatalf("load before kill %d: transfers: %v; reports: %v\n%s", k+1, loadErr, reportErr, n.out.Tail(30))
		}
		t.Logf("kill %d after %s: %d transfers sent, %d committed so far, %d left open; %d reports acknowledged so far; height %d",
			k+1, run.Round(time.Millisecond), sent, len(e.m.committed), len(e.m.uncertain), len(e.fleet.ackedHashes()), top)
	}
	if len(e.m.committed) == 0 || len(e.fleet.ackedHashes()) == 0 {
		t.Fatalf("got %d committed transfers and %d acknowledged reports over %d kills, want some of each: the load did not reach the node", len(e.m.committed), len(e.fleet.ackedHashes()), kills)
	}
	n.stop()
	checkStateOffline(t, n.home)
}
