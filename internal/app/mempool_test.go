package app

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/store"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// concurrentJob is one CheckTx call of the concurrency test.
type concurrentJob struct {
	sender int
	seq    uint64
	want   ledger.Code // CodeOK for an honest tx, else the refusal expected
	memo   string      // makes a probe's bytes differ from the honest tx's
}

// concurrentMempool stands in for CometBFT around CheckTx: CheckTx runs
// under the read side of its lock, from many goroutines at once, and a
// block is prepared, finalized and committed under the write side, as
// CListMempool.CheckTx and BlockExecutor.Commit do with updateMtx. An
// admitted tx is appended after CheckTx returns, as resCbFirstTime does, so
// two txs of one sender can land in either order.
type concurrentMempool struct {
	t      *testing.T
	a      *App
	engine sync.RWMutex
	mu     sync.Mutex
	txs    [][]byte
	failed []string
}

func (m *concurrentMempool) check(raw []byte) Result {
	m.engine.RLock()
	defer m.engine.RUnlock()
	return m.a.CheckTx(raw)
}

func (m *concurrentMempool) add(raw []byte) {
	m.mu.Lock()
	m.txs = append(m.txs, raw)
	m.mu.Unlock()
}

// block commits what the mempool holds and reports how many txs it had.
func (m *concurrentMempool) block() int {
	m.engine.Lock()
	defer m.engine.Unlock()
	m.mu.Lock()
	txs := m.txs
	m.txs = nil
	m.mu.Unlock()
	txs = m.a.PrepareProposal(txs, 1<<30)
	res := runBlock(m.t, m.a, txs...)
	for i, r := range res.Txs {
		if r.Code != ledger.CodeOK {
			m.failed = append(m.failed, fmt.Sprintf("block tx %d: %v %s", i, r.Code, r.Log))
		}
	}
	return len(txs)
}

// TestCheckTxConcurrent hammers CheckTx from many goroutines while blocks
// commit. Each sender's honest txs go out one after another, each handed to
// whichever worker is free as soon as its predecessor's CheckTx returned
// (before the predecessor reaches the mempool, like a pipelining client), so
// senders interleave and one sender's sequences cross goroutines. Alongside
// each honest tx run two probes of the same sender: a gap (two ahead of the
// tx just admitted, while the next one is held back) and a replay (below the
// committed sequence, or a gap when nothing is committed yet). Run it with
// -race. It checks that every honest tx is admitted and then commits with
// code 0, that every probe is refused with its code, and that each sender
// ends at the sequence after its last honest tx.
func TestCheckTxConcurrent(t *testing.T) {
	const senders, perSender, workers = 16, 25, 8
	a := New(NewMemBackend(), BankModule())
	if _, err := a.InitChain(testChain, testGenesis(senders+1, 1_000_000_000)); err != nil {
		t.Fatal(err)
	}
	runBlock(t, a)
	m := &concurrentMempool{t: t, a: a}
	to := testAddr(senders)

	jobs := make(chan concurrentJob, senders*3)
	var pending sync.WaitGroup // honest txs not yet checked
	var errsMu sync.Mutex
	var errs []string
	report := func(format string, args ...any) {
		errsMu.Lock()
		errs = append(errs, fmt.Sprintf(format, args...))
		errsMu.Unlock()
	}
	run := func(j concurrentJob) Result {
		return m.check(concurrentSend(t, j.sender, j.seq, to, j.memo))
	}
	var work sync.WaitGroup
	for range workers {
		work.Add(1)
		go func() {
			defer work.Done()
			for j := range jobs {
				raw := concurrentSend(t, j.sender, j.seq, to, j.memo)
				r := m.check(raw)
				if r.Code != j.want {
					report("sender %d seq %d memo %q: got %v (%s), want %v", j.sender, j.seq, j.memo, r.Code, r.Log, j.want)
				}
				if j.want != ledger.CodeOK {
					continue
				}
				if r.Code == ledger.CodeOK {
					// Probes of this sender, checked concurrently with
					// everything else, before the next honest tx exists.
					var probes sync.WaitGroup
					for _, p := range concurrentProbes(m, j) {
						probes.Add(1)
						go func() {
							defer probes.Done()
							if got := run(p); got.Code != p.want {
								report("probe sender %d seq %d: got %v (%s), want %v", p.sender, p.seq, got.Code, got.Log, p.want)
							}
						}()
					}
					probes.Wait()
					if j.seq+1 < perSender {
						jobs <- concurrentJob{sender: j.sender, seq: j.seq + 1}
					}
					m.add(raw)
				} else if j.seq+1 < perSender {
					// Keep the count right; the error is already reported.
					pending.Add(-int(perSender - j.seq - 1))
				}
				pending.Done()
			}
		}()
	}
	pending.Add(senders * perSender)
	for s := range senders {
		jobs <- concurrentJob{sender: s, seq: 0}
	}
	done := make(chan struct{})
	go func() { pending.Wait(); close(done) }()
blocks:
	for {
		select {
		case <-done:
			break blocks
		default:
			m.block()
		}
	}
	close(jobs)
	work.Wait()
	for m.block() > 0 {
	}
	for _, e := range append(errs, m.failed...) {
		t.Error(e)
	}
	for s := range senders {
		if got := Sequence(a.Committed(), testAddr(s)); got != perSender {
			t.Errorf("sender %d: committed sequence %d, want %d", s, got, perSender)
		}
	}
}

// concurrentProbes returns the refusals to try once honest tx j was
// admitted: the sequence two ahead is a gap (j.seq+1 is not yet sent), and
// one below the committed sequence is a replay.
func concurrentProbes(m *concurrentMempool, j concurrentJob) []concurrentJob {
	probes := []concurrentJob{{sender: j.sender, seq: j.seq + 2, want: ledger.CodeSequenceSkipped, memo: "gap"}}
	m.engine.RLock()
	committed := Sequence(m.a.Committed(), testAddr(j.sender))
	m.engine.RUnlock()
	if committed > 0 {
		probes = append(probes, concurrentJob{sender: j.sender, seq: committed - 1, want: ledger.CodeSequenceUsed, memo: "replay"})
	}
	return probes
}

// concurrentSend is sendTx with a memo, so probes differ from honest txs.
func concurrentSend(t testing.TB, from int, seq uint64, to ledger.Address, memo string) []byte {
	t.Helper()
	msg, _ := proto.Marshal(&bankv1.MsgSend{To: to[:], Amount: 1})
	raw, err := BuildTx(testKey(from), &txv1.TxBody{ChainId: testChain, Sequence: seq, Fee: 1000, Memo: memo,
		Msgs: []*txv1.Msg{{Type: "bank/send", Value: msg}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestPrepareProposalOrdersSequences: a signer's txs appended out of
// sequence order are put back in order within their positions; other txs
// and undecodable ones are handled as before.
func TestPrepareProposalOrdersSequences(t *testing.T) {
	a := newTestApp(t)
	to := testAddr(9)
	s1a, s1b, s1c := sendTx(t, 1, 0, to, 1), sendTx(t, 1, 1, to, 1), sendTx(t, 1, 2, to, 1)
	s2a, s2b := sendTx(t, 2, 0, to, 1), sendTx(t, 2, 1, to, 1)
	s3 := sendTx(t, 3, 0, to, 1)
	in := [][]byte{s1c, s2b, []byte{0xff}, s1a, s3, s2a, s1b}
	want := [][]byte{s1a, s2a, s1b, s3, s2b, s1c}
	got := a.PrepareProposal(in, 1<<20)
	if len(got) != len(want) {
		t.Fatalf("got %d txs, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i]) != string(want[i]) {
			t.Errorf("position %d: got tx %X, want %X", i, HashTx(got[i]), HashTx(want[i]))
		}
	}
	res := runBlock(t, a, got...)
	for i, r := range res.Txs {
		if r.Code != ledger.CodeOK {
			t.Errorf("tx %d: got %v (%s), want ok", i, r.Code, r.Log)
		}
	}
	if got := a.PrepareProposal([][]byte{s3, s1a, s1b}, int64(len(s3)+len(s1a))); len(got) != 2 {
		t.Errorf("maxBytes for two txs: got %d txs, want 2", len(got))
	}
}

// TestOrderBySequenceProperty: the result is a permutation of the input in
// which every position keeps its signer, each signer's sequences ascend, and
// txs with equal signer and sequence keep their relative order.
func TestOrderBySequenceProperty(t *testing.T) {
	keys := make([]sig.PrivateKey, 4)
	for i := range keys {
		keys[i] = testKey(i)
	}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 24).Draw(rt, "n")
		txs := make([][]byte, n)
		ds := make([]*decoded, n)
		for i := range txs {
			k := rapid.IntRange(0, len(keys)-1).Draw(rt, "signer")
			seq := rapid.Uint64Range(0, 5).Draw(rt, "seq")
			raw, err := BuildTx(keys[k], &txv1.TxBody{ChainId: testChain, Sequence: seq, Memo: fmt.Sprint(i),
				Msgs: []*txv1.Msg{{Type: "bank/send"}}})
			if err != nil {
				rt.Fatal(err)
			}
			d, e := decode(raw)
			if e != nil {
				rt.Fatal(e)
			}
			txs[i], ds[i] = raw, d
		}
		inSigner := make([]ledger.Address, n)
		inIndex := make(map[string]int, n)
		for i, d := range ds {
			inSigner[i] = d.signer
			inIndex[string(txs[i])] = i
		}
		orderBySequence(txs, ds)
		last := make(map[ledger.Address]*decoded)
		lastIn := make(map[ledger.Address]int)
		seen := make(map[string]bool, n)
		for i, raw := range txs {
			j, ok := inIndex[string(raw)]
			if !ok || seen[string(raw)] {
				rt.Fatalf("position %d: tx not from the input once", i)
			}
			seen[string(raw)] = true
			d := ds[i]
			if d.hash != HashTx(raw) {
				rt.Fatalf("position %d: decoded tx does not match its bytes", i)
			}
			if d.signer != inSigner[i] {
				rt.Fatalf("position %d: got signer %s, want %s", i, d.signer, inSigner[i])
			}
			if p := last[d.signer]; p != nil {
				if p.body.Sequence > d.body.Sequence {
					rt.Fatalf("position %d: sequence %d after %d", i, d.body.Sequence, p.body.Sequence)
				}
				if p.body.Sequence == d.body.Sequence && lastIn[d.signer] > j {
					rt.Fatalf("position %d: equal sequences swapped", i)
				}
			}
			last[d.signer], lastIn[d.signer] = d, j
		}
	})
}

// BenchmarkCheckTx checks the same fresh transfers (one per sender, cold
// signature cache) on one goroutine and on GOMAXPROCS goroutines, each on
// a new app, and reports both rates and their ratio: what running CheckTx
// concurrently gains on this machine, measured in the same iterations.
//
//	go test -run '^$' -bench CheckTx ./internal/app
func BenchmarkCheckTx(b *testing.B) {
	const senders = 2048
	keys := make([]sig.PrivateKey, senders)
	g := Genesis{Denom: "upin", Decimals: 6}
	for i := range keys {
		keys[i] = sig.KeyFromSeed([]byte(fmt.Sprintf("bench-checktx-%018d", i)))
		g.Balances = append(g.Balances, GenesisBalance{Address: ledger.AddressOf(sig.PublicOf(keys[i])).String(), Amount: 1_000_000})
	}
	g.Authority = g.Balances[0].Address
	genesis, err := json.Marshal(g)
	if err != nil {
		b.Fatal(err)
	}
	to := testAddr(0)
	txs := make([][]byte, senders)
	for i := range txs {
		msg, _ := proto.Marshal(&bankv1.MsgSend{To: to[:], Amount: 1})
		if txs[i], err = BuildTx(keys[i], &txv1.TxBody{ChainId: testChain, Fee: 1000, Msgs: []*txv1.Msg{{Type: "bank/send", Value: msg}}}); err != nil {
			b.Fatal(err)
		}
	}
	fresh := func() *App {
		a := New(NewMemBackend(), BankModule())
		if _, err := a.InitChain(testChain, genesis); err != nil {
			b.Fatal(err)
		}
		runBlock(b, a)
		return a
	}
	workers := runtime.GOMAXPROCS(0)
	var serial, parallel time.Duration
	for b.Loop() {
		b.StopTimer()
		a := fresh()
		b.StartTimer()
		start := time.Now()
		for _, raw := range txs {
			if r := a.CheckTx(raw); r.Code != ledger.CodeOK {
				b.Fatalf("serial: got %v (%s), want ok", r.Code, r.Log)
			}
		}
		serial += time.Since(start)
		b.StopTimer()
		a = fresh()
		b.StartTimer()
		start = time.Now()
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(txs); i += workers {
					if r := a.CheckTx(txs[i]); r.Code != ledger.CodeOK {
						b.Errorf("parallel: got %v (%s), want ok", r.Code, r.Log)
						return
					}
				}
			}()
		}
		wg.Wait()
		parallel += time.Since(start)
	}
	n := float64(b.N * senders)
	b.ReportMetric(n/serial.Seconds(), "serial-txs/s")
	b.ReportMetric(n/parallel.Seconds(), "parallel-txs/s")
	b.ReportMetric(serial.Seconds()/parallel.Seconds(), "ratio")
}

// TestCheckTxDuringCommit runs CheckTx with no engine lock while blocks
// finalize and commit on Pebble, which CometBFT never does but App allows:
// each sender's honest txs go out one after another from its own
// goroutine, and every admitted tx joins the next block. No honest tx may
// be refused and every one must commit with code 0. Run it with -race.
func TestCheckTxDuringCommit(t *testing.T) {
	const senders, perSender = 8, 30
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := New(db, BankModule())
	if _, err := a.InitChain(testChain, testGenesis(senders+1, 1_000_000_000)); err != nil {
		t.Fatal(err)
	}
	runBlock(t, a)
	to := testAddr(senders)
	var mu sync.Mutex
	var mempool [][]byte
	var refused []string
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range uint64(perSender) {
				raw := sendTx(t, s, seq, to, 1)
				r := a.CheckTx(raw)
				mu.Lock()
				if r.Code == ledger.CodeOK {
					mempool = append(mempool, raw)
				} else {
					refused = append(refused, fmt.Sprintf("sender %d seq %d: got %v (%s), want ok", s, seq, r.Code, r.Log))
				}
				mu.Unlock()
				if r.Code != ledger.CodeOK {
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	block := func() int {
		mu.Lock()
		txs := mempool
		mempool = nil
		mu.Unlock()
		res := runBlock(t, a, a.PrepareProposal(txs, 1<<30)...)
		for i, r := range res.Txs {
			if r.Code != ledger.CodeOK {
				t.Errorf("block tx %d: got %v (%s), want ok", i, r.Code, r.Log)
			}
		}
		return len(txs)
	}
blocks:
	for {
		select {
		case <-done:
			break blocks
		default:
			block()
		}
	}
	for block() > 0 {
	}
	for _, e := range refused {
		t.Error(e)
	}
	for s := range senders {
		if got := Sequence(a.Committed(), testAddr(s)); got != perSender {
			t.Errorf("sender %d: committed sequence %d, want %d", s, got, perSender)
		}
	}
}

// TestReserveAfterCommit pins the interleaving TestCheckTxDuringCommit can
// only hit by chance: a tx's state checks run against the committed
// sequence, then the block holding its predecessor commits (which prunes
// the reservation), then the tx reaches the lock. It must be judged
// against the new committed sequence and admitted, and a replay of the
// committed predecessor checked the same way must be refused.
func TestReserveAfterCommit(t *testing.T) {
	a := newTestApp(t)
	to := testAddr(9)
	tx0, tx1 := sendTx(t, 1, 0, to, 1), sendTx(t, 1, 1, to, 1)
	replay := concurrentSend(t, 1, 0, to, "replay")
	if r := a.CheckTx(tx0); r.Code != ledger.CodeOK {
		t.Fatalf("tx 0: got %v (%s), want ok", r.Code, r.Log)
	}
	type inFlight struct {
		d         *decoded
		raw       []byte
		committed uint64
		e         *ledger.Error
	}
	start := func(raw []byte) inFlight {
		d, e := decode(raw)
		if e != nil {
			t.Fatal(e)
		}
		c := Sequence(a.db, d.signer)
		return inFlight{d, raw, c, a.checkState(d, raw, c)}
	}
	next, again := start(tx1), start(replay)
	runBlock(t, a, tx0)
	if got := Sequence(a.Committed(), testAddr(1)); got != 1 {
		t.Fatalf("committed sequence %d, want 1", got)
	}
	if r := a.reserve(next.d, next.raw, next.committed, next.e, true); r.Code != ledger.CodeOK {
		t.Errorf("tx 1 checked across the commit: got %v (%s), want ok", r.Code, r.Log)
	}
	if r := a.reserve(again.d, again.raw, again.committed, again.e, true); r.Code != ledger.CodeSequenceUsed {
		t.Errorf("replay checked across the commit: got %v (%s), want sequence_used", r.Code, r.Log)
	}
}
