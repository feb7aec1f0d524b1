package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Bounds of the cluster test.
const (
	clusterValidators = 4
	clusterSenders    = 4 // acc0..acc3
	clusterDevices    = 4
	clusterMaxTxs     = 2000
	clusterMaxReports = 4000
	clusterOnboardFee = 1_000_000
	clusterChainID    = "cluster"
	clusterStartWait  = 90 * time.Second
	clusterProgress   = 30 * time.Second
	clusterQuiet      = 2 * time.Second // no new block for this long: halted
	clusterHaltWait   = 20 * time.Second
)

// cluster is a four-validator testnet run as child processes, with ingest
// in node 0, and what its clients saw.
type cluster struct {
	t       *testing.T
	dir     string
	nodes   []*procNode
	senders []sig.PrivateKey
	known   []ledger.Address // every account that may hold funds
	maker   sig.PrivateKey
	fleet   *reportFleet
	segs    *segmentReader
	supply  uint64 // at genesis
}

// newCluster writes the testnet with the CLI, adds a device maker and an
// ingest operator to its genesis (the same bytes in every home), and turns
// ingest on in node 0 with the operator key in node 0's test keyring.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	bin := depinBinary(t)
	c := &cluster{t: t, dir: filepath.Join(t.TempDir(), "testnet"), fleet: newReportFleet("cluster", clusterDevices)}
	base := freeBasePort(t, clusterValidators)
	r := mustSucceed(t, runDepin(t, bin, "testnet", "--validators", fmt.Sprint(clusterValidators), "--out", c.dir,
		"--base-port", fmt.Sprint(base), "--chain-id", clusterChainID, "--accounts", fmt.Sprint(clusterSenders), "--block-time", "200ms"))
	if !strings.Contains(r.stdout, fmt.Sprintf("wrote %d validator homes", clusterValidators)) {
		t.Fatalf("testnet: got stdout %q, want it to report %d homes", r.stdout, clusterValidators)
	}
	kr, err := keyring.Open(keyring.Dir(c.dir), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range clusterSenders {
		k, err := kr.PrivateKey(fmt.Sprintf("acc%d", i))
		if err != nil {
			t.Fatal(err)
		}
		c.senders = append(c.senders, k)
		c.known = append(c.known, ledger.AddressOf(sig.PublicOf(k)))
	}
	c.maker = sig.KeyFromSeed(devSeed("cluster-maker"))
	home0 := filepath.Join(c.dir, "node0")
	kr0, err := keyring.Open(keyring.Dir(home0), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	op, err := kr0.AddFromSeed(devIngest, devSeed("cluster-ingest"))
	if err != nil {
		t.Fatal(err)
	}
	c.known = append(c.known, op.Address)
	for _, k := range c.fleet.keys {
		c.known = append(c.known, ledger.Address(k.Address()))
	}
	c.supply = c.writeGenesis(op.Address)

	ac, err := node.LoadAppConfig(home0)
	if err != nil {
		t.Fatal(err)
	}
	ingestAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ac.Ingest.Enable, ac.Ingest.OperatorKey, ac.Ingest.KeyringBackend = true, devIngest, keyring.BackendTest
	ac.Ingest.Service.ListenAddr = ingestAddr
	ac.Ingest.Service.SegmentMaxAge = 500 * time.Millisecond
	ac.Ingest.Service.Rate, ac.Ingest.Service.Burst = 1_000_000, 1_000_000
	if err := node.WriteAppConfig(home0, ac); err != nil {
		t.Fatal(err)
	}
	c.segs = newSegmentReader("http://"+ingestAddr, sig.KeyFromSeed(devSeed(clusterOracle)))
	for k := range clusterValidators {
		p := base + 10*k
		c.nodes = append(c.nodes, newProcNodeAt(t, bin, filepath.Join(c.dir, fmt.Sprintf("node%d", k)), p, p+1, p+2))
	}
	return c
}

// writeGenesis adds the maker, the ingest operator and its funds to the
// testnet genesis, writes the same file into every home and returns the
// genesis supply.
// clusterOracle seeds the key of the cluster chain's oracle.
const clusterOracle = "cluster-oracle"

func (c *cluster) writeGenesis(operator ledger.Address) uint64 {
	t := c.t
	t.Helper()
	path0 := filepath.Join(c.dir, "node0", "config", "genesis.json")
	raw, err := os.ReadFile(path0)
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
	g.Balances = append(g.Balances, app.GenesisBalance{Address: operator.String(), Amount: devBalance})
	dg, _ := json.Marshal(chain.DeviceGenesis{Makers: []chain.GenesisMaker{{
		Name: "clustermaker", PubKey: hex.EncodeToString(sig.PublicOf(c.maker)), Kinds: []string{"coverage"}, OnboardFee: clusterOnboardFee,
	}}})
	pg, _ := json.Marshal(chain.ProofGenesis{Operators: []string{operator.String()}})
	// An oracle key, so that the test reads segments while their epoch runs.
	oracle := ledger.AddressOf(sig.PublicOf(sig.KeyFromSeed(devSeed(clusterOracle))))
	rg, _ := json.Marshal(chain.RewardGenesis{Oracles: []chain.GenesisOracle{{Address: oracle.String(), Weight: 1}}})
	g.Modules = map[string]json.RawMessage{"device": dg, "proof": pg, "reward": rg}
	if doc["app_state"], err = json.Marshal(g); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for k := range clusterValidators {
		if err := os.WriteFile(filepath.Join(c.dir, fmt.Sprintf("node%d", k), "config", "genesis.json"), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var supply uint64
	for _, b := range g.Balances {
		supply += b.Amount
	}
	return supply
}

// launch starts nodes without waiting (a validator alone makes no blocks)
// and then waits until each has a block above h.
func (c *cluster) launch(h int64, nodes ...*procNode) {
	c.t.Helper()
	for _, n := range nodes {
		if n.running() {
			c.t.Fatalf("%s is already running", n.home)
		}
		n.launch()
	}
	for _, n := range nodes {
		n.waitHeight(h+1, clusterStartWait)
	}
}

// TestClusterFaults runs a four-validator testnet as four `depin start`
// processes on loopback under a stream of signed transfers sent to the
// nodes round-robin and of signed device reports sent to node 0's ingest.
// It kills node 3 with SIGKILL (blocks go on), restarts it (it catches up
// with the same app hash), stops nodes 2 and 3 (the chain halts, without a
// fork), restarts them (it resumes), and at the end checks that every
// transfer a client saw committed is on every node, that the nodes agree
// on the block hash and app hash at every height, that the supply
// invariant holds on every node and in every node's state on disk, and
// that every report ingest acknowledged is in a segment committed on chain.
func TestClusterFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four validator processes for about a minute")
	}
	c := newCluster(t)
	ns := c.nodes
	c.launch(1, ns...)
	c.fleet.onboard(t, ns[0], clusterChainID, c.maker, c.senders[0], crashFee)

	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	load := newClusterLoad(clusterChainID, c.senders, seed)
	load.setTargets(ns...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loadErr, repErr := make(chan error, 1), make(chan error, 1)
	go func() { loadErr <- load.run(ctx, clusterMaxTxs) }()
	go func() { repErr <- c.fleet.run(ctx, c.segs.url, 2, clusterMaxReports) }()
	progress := func(what string, more int) {
		t.Helper()
		want := load.committedCount() + more
		deadline := time.Now().Add(clusterProgress)
		for load.committedCount() < want {
			select {
			case err := <-loadErr:
				t.Fatalf("%s: the transfer load stopped: %v", what, err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d transfers committed, want %d within %s\n%s", what, load.committedCount(), want, clusterProgress, ns[0].out.Tail(20))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	progress("four validators", 50)

	// kill -9 one of four: blocks go on.
	ns[3].kill()
	load.setTargets(ns[:3]...)
	h := maxHeight(ns[:3]...)
	for _, n := range ns[:3] {
		n.waitHeight(h+5, clusterProgress)
	}
	progress("three validators", 50)
	t.Logf("node 3 killed at about height %d; the others went on to %d", h, maxHeight(ns[:3]...))

	// Restart it: it catches up, with the same app hash.
	c.launch(maxHeight(ns[:3]...), ns[3])
	sameAppHash(t, ns[0], ns[1:]...)
	load.setTargets(ns...)
	progress("node 3 back", 50)

	// Stop two of four: the chain halts without forking.
	load.pause()
	ns[2].stop()
	ns[3].stop()
	halted := waitHalted(t, ns[0], ns[1])
	if d := halted[0] - halted[1]; d < -1 || d > 1 {
		t.Errorf("halted at heights %v: want them within one block of each other", halted)
	}
	agreeOnBlocks(t, ns[:2], min(halted[0], halted[1]))
	t.Logf("nodes 2 and 3 stopped: the chain halted at heights %v", halted)

	// Bring them back: it resumes.
	top := max(halted[0], halted[1])
	c.launch(top, ns[2], ns[3])
	for _, n := range ns {
		n.waitHeight(top+3, clusterProgress)
	}
	load.setTargets(ns...)
	load.resume()
	progress("resumed", 50)

	cancel()
	if err := <-loadErr; err != nil {
		t.Fatalf("transfer load: %v", err)
	}
	if err := <-repErr; err != nil {
		t.Fatalf("report load: %v", err)
	}
	c.checkEnd(load)
}

// checkEnd settles the transfers left open, then checks the end state on
// every node, stops them all and checks their state on disk.
func (c *cluster) checkEnd(load *clusterLoad) {
	t, ns := c.t, c.nodes
	t.Helper()
	end := maxHeight(ns...) + 3
	for _, n := range ns {
		n.waitHeight(end, clusterProgress)
	}
	late := 0
	for hash, tx := range load.open {
		rec, found, err := lookupTx(context.Background(), ns[0].client, hash)
		if err != nil {
			t.Fatal(err)
		}
		if found && rec.Code == uint32(ledger.CodeOK) {
			load.seen(tx, rec.Height)
			late++
		}
	}
	t.Logf("%d transfers sent, %d seen committed (%d of them only after the load ended), %d lost with a mempool, %d resyncs",
		load.sent, len(load.committed), late, len(load.open), load.resyncs)

	// Every transfer a client saw committed is on every node, at the same
	// height, and each sender's sequence counts exactly those transfers
	// (and, for acc0, the onboardings).
	perSender := make([]uint64, len(c.senders))
	perSender[0] = clusterDevices
	for _, s := range load.committed {
		perSender[s.from]++
	}
	for _, n := range ns {
		for hash, s := range load.committed {
			rec, found, err := lookupTx(context.Background(), n.client, hash)
			if err != nil || !found || rec.Code != uint32(ledger.CodeOK) || rec.Height != s.height {
				t.Fatalf("%s: committed tx %s: got %+v (found %v, %v), want it at height %d with code 0", n.home, hash, rec, found, err, s.height)
			}
		}
		for i, a := range load.addrs {
			acc, err := n.client.Account(context.Background(), a)
			if err != nil || acc.Sequence != perSender[i] {
				t.Errorf("%s: sender %d: got sequence %d (%v), want %d, the transfers seen committed", n.home, i, acc.Sequence, err, perSender[i])
			}
		}
	}

	// Every acknowledged report is in a segment, every segment is committed
	// and every node holds the same commitments.
	waitAcked(t, ns[0], c.segs, c.fleet, clusterProgress)
	deadline := time.Now().Add(clusterProgress)
	var onChain [][]byte
	for {
		onChain = onChain[:0]
		total := 0
		for e := uint64(0); e <= ns[0].currentEpoch(); e++ {
			var l struct {
				Segments []json.RawMessage `json:"segments"`
			}
			body := ns[0].abci(fmt.Sprintf("/proof/epochs/%d/segments", e))
			if err := json.Unmarshal(body, &l); err != nil {
				t.Fatal(err)
			}
			total += len(l.Segments)
			onChain = append(onChain, body)
		}
		if total >= c.segs.segments {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d segments ingest cut are committed on chain after %s", total, c.segs.segments, clusterProgress)
		}
		time.Sleep(200 * time.Millisecond)
	}
	end = maxHeight(ns...)
	for _, n := range ns {
		n.waitHeight(end, clusterProgress)
	}
	for _, n := range ns[1:] {
		var got [][]byte
		for e := range onChain {
			got = append(got, n.abci(fmt.Sprintf("/proof/epochs/%d/segments", e)))
		}
		if !reflect.DeepEqual(got, onChain) {
			t.Errorf("%s: segment commitments differ from %s's:\n got %s\nwant %s", n.home, ns[0].home, got, onChain)
		}
	}

	// The nodes agree at every height, and the supply invariant holds.
	compared := agreeOnBlocks(t, ns, end)
	for _, n := range ns {
		if got, want := checkSupplySum(t, n, c.known), c.supply-clusterDevices*clusterOnboardFee; got != want {
			t.Errorf("%s: supply total %d, want %d (genesis less %d onboarding burns)", n.home, got, want, clusterDevices)
		}
	}
	t.Logf("%d heights agree on all nodes; %d reports acknowledged, in %d segments", compared, len(c.fleet.ackedHashes()), c.segs.segments)

	// Stop every node; each one's state on disk passes the invariants.
	byHeight := map[int64]string{}
	for _, n := range ns {
		n.stop()
	}
	for _, n := range ns {
		h, hash := checkStateOffline(t, n.home)
		if h < end-1 {
			t.Errorf("%s: state on disk at height %d, want at least %d", n.home, h, end-1)
		}
		if prev, ok := byHeight[h]; ok && prev != hash {
			t.Errorf("%s: app hash %s at height %d on disk, another node has %s", n.home, hash, h, prev)
		}
		byHeight[h] = hash
	}
}

// Bounds of the cluster's transfer stream.
const (
	clusterPerSender = 4 // transfers each sender has in flight per round
	clusterWaitTx    = 15 * time.Second
	clusterResync    = 45 * time.Second
)

// clusterTarget is a node the load may send to.
type clusterTarget struct {
	name string
	c    *client.Client
}

// clusterTx is a transfer the load sent.
type clusterTx struct {
	hash string
	from int
}

// clusterLoad streams signed transfers to the live nodes of a cluster, one
// node per round, round-robin. A round broadcasts clusterPerSender
// transfers per sender with consecutive sequences to its node and waits
// there for each. When a node fails under it (killed, or a sequence it did
// not expect because a transfer of an earlier failure is still gossiping),
// it resyncs through another live node: it waits a few blocks, looks the
// open transfers up, and takes the senders' sequences from the chain.
// Transfers still not found are kept open and looked up again at the end.
type clusterLoad struct {
	chainID string
	keys    []sig.PrivateKey
	addrs   []ledger.Address
	rng     *rand.Rand

	busy sync.Mutex // held for a round and its resync

	mu        sync.Mutex
	targets   []clusterTarget
	paused    bool
	committed map[string]clusterSeen // by hash: every transfer a client saw committed
	open      map[string]clusterTx
	sent      int
	resyncs   int

	// Touched only by run's goroutine.
	seqs  []uint64
	floor int64 // the highest height a transfer was seen committed at
}

// clusterSeen is where a client saw a transfer committed.
type clusterSeen struct {
	from   int
	height int64
}

func newClusterLoad(chainID string, keys []sig.PrivateKey, seed uint64) *clusterLoad {
	l := &clusterLoad{chainID: chainID, keys: keys, rng: rand.New(rand.NewPCG(seed, seed>>3)),
		committed: map[string]clusterSeen{}, open: map[string]clusterTx{}}
	for _, k := range keys {
		l.addrs = append(l.addrs, ledger.AddressOf(sig.PublicOf(k)))
	}
	return l
}

// setTargets replaces the nodes the load sends to.
func (l *clusterLoad) setTargets(nodes ...*procNode) {
	ts := make([]clusterTarget, len(nodes))
	for i, n := range nodes {
		ts[i] = clusterTarget{name: n.home, c: n.client}
	}
	l.mu.Lock()
	l.targets = ts
	l.mu.Unlock()
}

// pause stops the load after its current round; resume restarts it.
func (l *clusterLoad) pause() {
	l.mu.Lock()
	l.paused = true
	l.mu.Unlock()
	//lint:ignore SA2001 taking the lock waits for the round in progress
	l.busy.Lock()
	l.busy.Unlock()
}

func (l *clusterLoad) resume() {
	l.mu.Lock()
	l.paused = false
	l.mu.Unlock()
}

// committedCount returns how many transfers a client saw committed.
func (l *clusterLoad) committedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.committed)
}

// errResync asks run to resync through a node other than the one named.
type errResync struct {
	node   string
	why    error
	unsure []clusterTx
}

func (e *errResync) Error() string { return fmt.Sprintf("resync away from %s: %v", e.node, e.why) }

// run sends rounds until ctx ends or max transfers were sent. It returns
// an error only for an answer a healthy cluster must not give.
func (l *clusterLoad) run(ctx context.Context, max int) error {
	next := 0
	for ctx.Err() == nil {
		l.mu.Lock()
		paused, ts, sent := l.paused, append([]clusterTarget(nil), l.targets...), l.sent
		l.mu.Unlock()
		if sent >= max {
			return nil
		}
		if paused || len(ts) == 0 {
			sleepCtx(ctx, 50*time.Millisecond)
			continue
		}
		tg := ts[next%len(ts)]
		next++
		l.busy.Lock()
		err := l.round(ctx, tg)
		if rs := (*errResync)(nil); errors.As(err, &rs) {
			err = l.resync(ctx, rs)
		}
		l.busy.Unlock()
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// round sends one round to tg and waits for it.
func (l *clusterLoad) round(ctx context.Context, tg clusterTarget) error {
	if l.seqs == nil {
		return &errResync{why: errors.New("no sequences yet")}
	}
	// tg must hold every block a transfer was seen in, or it would take
	// the next sequences for skips.
	if err := waitClientHeight(ctx, tg.c, l.floor+1, clusterWaitTx); err != nil {
		return &errResync{node: tg.name, why: err}
	}
	var round []clusterTx
	for from, k := range l.keys {
		for range clusterPerSender {
			to := (from + 1 + l.rng.IntN(len(l.addrs)-1)) % len(l.addrs)
			v, err := proto.Marshal(&bankv1.MsgSend{To: l.addrs[to][:], Amount: 1 + l.rng.Uint64N(1_000_000)})
			if err != nil {
				return err
			}
			raw, err := app.BuildTx(k, &txv1.TxBody{ChainId: l.chainID, Sequence: l.seqs[from], Fee: crashFee,
				Msgs: []*txv1.Msg{{Type: bank.TypeSend, Value: v}}})
			if err != nil {
				return err
			}
			h := app.HashTx(raw)
			tx := clusterTx{hash: fmt.Sprintf("%X", h[:]), from: from}
			chk, err := tg.c.Broadcast(ctx, raw)
			if err != nil {
				return &errResync{node: tg.name, why: err, unsure: append(round, tx)}
			}
			switch chk.Code {
			case ledger.CodeOK:
			case ledger.CodeSequenceUsed, ledger.CodeSequenceSkipped:
				return &errResync{node: tg.name, why: fmt.Errorf("CheckTx: %s: %s", chk.Code, chk.Log), unsure: round}
			default:
				return fmt.Errorf("tx %s from sender %d sequence %d: CheckTx on %s answered %s (%d): %s", tx.hash, from, l.seqs[from], tg.name, chk.Code, uint32(chk.Code), chk.Log)
			}
			l.seqs[from]++
			round = append(round, tx)
			l.mu.Lock()
			l.sent++
			l.mu.Unlock()
		}
	}
	for i, tx := range round {
		rec, err := tg.c.WaitTx(ctx, tx.hash, clusterWaitTx)
		if err != nil {
			return &errResync{node: tg.name, why: err, unsure: round[i:]}
		}
		switch ledger.Code(rec.Code) {
		case ledger.CodeOK:
			l.seen(tx, rec.Height)
		case ledger.CodeSequenceUsed:
			return &errResync{node: tg.name, why: fmt.Errorf("tx %s failed in block %d: %s", tx.hash, rec.Height, rec.Log), unsure: round[i+1:]}
		default:
			return fmt.Errorf("tx %s failed in block %d on %s: %s (%d): %s", tx.hash, rec.Height, tg.name, rec.Status, rec.Code, rec.Log)
		}
	}
	return nil
}

func (l *clusterLoad) seen(tx clusterTx, height int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.committed[tx.hash] = clusterSeen{from: tx.from, height: height}
	delete(l.open, tx.hash)
	l.floor = max(l.floor, height)
}

// resync settles rs.unsure and reloads the sequences through a live node
// other than rs.node, trying the others until one answers.
func (l *clusterLoad) resync(ctx context.Context, rs *errResync) error {
	l.mu.Lock()
	l.resyncs++
	for _, tx := range rs.unsure {
		l.open[tx.hash] = tx
	}
	l.mu.Unlock()
	deadline := time.Now().Add(clusterResync)
	var last error = rs
	for attempt := 0; time.Now().Before(deadline) && ctx.Err() == nil; attempt++ {
		l.mu.Lock()
		var ts []clusterTarget
		for _, t := range l.targets {
			if t.name != rs.node {
				ts = append(ts, t)
			}
		}
		l.mu.Unlock()
		if len(ts) == 0 {
			sleepCtx(ctx, 100*time.Millisecond)
			continue
		}
		if last = l.resyncVia(ctx, ts[attempt%len(ts)]); last == nil {
			return nil
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("resync after %v: no live node answered within %s: %w", rs.why, clusterResync, last)
}

func (l *clusterLoad) resyncVia(ctx context.Context, tg clusterTarget) error {
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	st, err := tg.c.Status(sctx)
	cancel()
	if err != nil {
		return err
	}
	// Transfers gossiped before the failure land within a block or two.
	if err := waitClientHeight(ctx, tg.c, max(st.Height, l.floor)+3, clusterWaitTx); err != nil {
		return err
	}
	l.mu.Lock()
	open := make([]clusterTx, 0, len(l.open))
	for _, tx := range l.open {
		open = append(open, tx)
	}
	l.mu.Unlock()
	for _, tx := range open {
		rec, found, err := lookupTx(ctx, tg.c, tx.hash)
		switch {
		case err != nil:
			return err
		case found && rec.Code == uint32(ledger.CodeOK):
			l.seen(tx, rec.Height)
		case found:
			l.mu.Lock()
			delete(l.open, tx.hash)
			l.mu.Unlock()
		}
	}
	seqs := make([]uint64, len(l.addrs))
	for i, a := range l.addrs {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		acc, err := tg.c.Account(qctx, a)
		cancel()
		if err != nil {
			return err
		}
		seqs[i] = acc.Sequence
	}
	l.seqs = seqs
	return nil
}
