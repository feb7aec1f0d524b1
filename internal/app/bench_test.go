package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/store"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// The state machine alone, no network: blocks of signed transfers executed
// through FinalizeBlock and Commit, signatures verified, over the in-memory
// backend and over Pebble. Each benchmark prints its own throughput and a
// baseline measured in the same iterations (DESIGN.md §4: every figure is a
// ratio against a baseline from the same run):
//
//	go test -run '^$' -bench FinalizeBlockTransfers ./internal/app
//
// BenchmarkFinalizeBlockTransfers: fresh signatures, cache cold; baseline is
// raw batch verification of the same txs' signatures (verify-txs/s), ratio
// txs/s ÷ verify-txs/s.
// BenchmarkFinalizeBlockTransfersCached: signatures verified ahead by
// ProcessProposal, as on a validator that saw the proposal; txs/s counts
// FinalizeBlock+Commit only, with-proposal-txs/s the whole path, ratio their
// quotient.

const (
	benchAccounts = 1000
	benchBlockTxs = 1000
	benchChain    = "depin-bench"
)

type benchEnv struct {
	keys    []sig.PrivateKey
	addrs   []ledger.Address
	genesis []byte
}

func newBenchEnv(n int) *benchEnv {
	e := &benchEnv{}
	g := app.Genesis{Denom: "upin", Decimals: 6}
	for i := 0; i < n; i++ {
		k := fuzzKey(fmt.Sprintf("bench-%d", i))
		a := ledger.AddressOf(sig.PublicOf(k))
		e.keys, e.addrs = append(e.keys, k), append(e.addrs, a)
		g.Balances = append(g.Balances, app.GenesisBalance{Address: a.String(), Amount: 1_000_000_000_000})
	}
	g.Authority = e.addrs[0].String()
	e.genesis, _ = json.Marshal(g)
	return e
}

// transfers builds the txs of one round: account i sends 1 upin to account
// i+1 with sequence round, so every round's signatures are new.
func (e *benchEnv) transfers(round uint64, count int) [][]byte {
	txs := make([][]byte, count)
	for i := range txs {
		j := i % len(e.keys)
		to := e.addrs[(j+1)%len(e.addrs)]
		m, _ := proto.Marshal(&bankv1.MsgSend{To: to[:], Amount: 1})
		raw, err := app.BuildTx(e.keys[j], &txv1.TxBody{ChainId: benchChain, Sequence: round, Fee: 1000,
			Msgs: []*txv1.Msg{{Type: "bank/send", Value: m}}})
		if err != nil {
			panic(err)
		}
		txs[i] = raw
	}
	return txs
}

// newBenchApp builds the chain app over a backend and commits genesis.
func newBenchApp(tb testing.TB, backend string, e *benchEnv) *app.App {
	tb.Helper()
	var db app.Backend
	switch backend {
	case "mem":
		db = app.NewMemBackend()
	case "pebble":
		p, err := store.Open(tb.TempDir())
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { p.Close() })
		db = p
	default:
		tb.Fatalf("unknown backend %q", backend)
	}
	a := chain.New(db)
	if _, err := a.InitChain(benchChain, e.genesis); err != nil {
		tb.Fatal(err)
	}
	if _, err := a.FinalizeBlock(app.Block{Height: 1, Time: 1e9}); err != nil {
		tb.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		tb.Fatal(err)
	}
	return a
}

// runBench executes one block and commits it, failing unless every
// transfer was accepted: a benchmark of rejections would measure nothing.
func runBench(tb testing.TB, a *app.App, txs [][]byte) {
	h, _ := a.LastCommit()
	res, err := a.FinalizeBlock(app.Block{Height: h + 1, Time: (h + 1) * 1e9, Txs: txs})
	if err != nil {
		tb.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		tb.Fatal(err)
	}
	for i, r := range res.Txs {
		if r.Code != ledger.CodeOK {
			tb.Fatalf("block %d tx %d: %v %s", h+1, i, r.Code, r.Log)
		}
	}
}

// verifyRaw batch-verifies the txs' signatures outside the app: the
// baseline. Decoding is done before the clock starts.
func verifyRaw(tb testing.TB, txs [][]byte) time.Duration {
	bv := sig.NewBatchVerifier()
	for _, raw := range txs {
		var tx txv1.Tx
		if err := proto.Unmarshal(raw, &tx); err != nil {
			tb.Fatal(err)
		}
		bv.Add(tx.PubKey, sig.DomainTx, tx.Body, tx.Signature)
	}
	start := time.Now()
	ok, _ := bv.Verify()
	d := time.Since(start)
	if !ok {
		tb.Fatal("baseline: a signature does not verify")
	}
	return d
}

func BenchmarkFinalizeBlockTransfers(b *testing.B) {
	e := newBenchEnv(benchAccounts)
	for _, backend := range []string{"mem", "pebble"} {
		b.Run(backend, func(b *testing.B) {
			a := newBenchApp(b, backend, e)
			var exec, verify time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				txs := e.transfers(uint64(i), benchBlockTxs)
				verify += verifyRaw(b, txs)
				b.StartTimer()
				start := time.Now()
				runBench(b, a, txs)
				exec += time.Since(start)
			}
			n := float64(b.N * benchBlockTxs)
			b.ReportMetric(n/exec.Seconds(), "txs/s")
			b.ReportMetric(n/verify.Seconds(), "verify-txs/s")
			b.ReportMetric(verify.Seconds()/exec.Seconds(), "ratio")
		})
	}
}

func BenchmarkFinalizeBlockTransfersCached(b *testing.B) {
	e := newBenchEnv(benchAccounts)
	for _, backend := range []string{"mem", "pebble"} {
		b.Run(backend, func(b *testing.B) {
			a := newBenchApp(b, backend, e)
			var exec, proposal time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				txs := e.transfers(uint64(i), benchBlockTxs)
				start := time.Now()
				a.ProcessProposal(txs)
				proposal += time.Since(start)
				b.StartTimer()
				start = time.Now()
				runBench(b, a, txs)
				exec += time.Since(start)
			}
			n := float64(b.N * benchBlockTxs)
			b.ReportMetric(n/exec.Seconds(), "txs/s")
			b.ReportMetric(n/(exec+proposal).Seconds(), "with-proposal-txs/s")
			b.ReportMetric((exec+proposal).Seconds()/exec.Seconds(), "ratio")
		})
	}
}

// TestBenchBlocksAccepted keeps the benchmarks' fixture honest in ordinary
// test runs: every transfer of a few small rounds is accepted on both
// backends, which agree on the app hash.
func TestBenchBlocksAccepted(t *testing.T) {
	e := newBenchEnv(20)
	var hashes [][]byte
	for _, backend := range []string{"mem", "pebble"} {
		a := newBenchApp(t, backend, e)
		for round := uint64(0); round < 3; round++ {
			txs := e.transfers(round, 20)
			if round == 1 {
				a.ProcessProposal(txs)
			}
			runBench(t, a, txs)
		}
		_, h := a.LastCommit()
		hashes = append(hashes, h)
	}
	if string(hashes[0]) != string(hashes[1]) {
		t.Fatalf("pebble app hash %X, want mem's %X", hashes[1], hashes[0])
	}
}
