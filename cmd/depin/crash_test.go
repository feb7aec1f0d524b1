package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Bounds of the crash loop.
const (
	crashKills      = 10
	crashKillsShort = 3
	crashAccounts   = 4
	crashFunds      = 1_000_000_000_000
	crashFee        = 1000 // bank.min_fee's default
	crashPerSender  = 4    // transactions each sender has in flight per round
	crashMaxTxs     = 400  // per run of the node
	crashLoadFor    = 20 * time.Second
	crashWaitTx     = 15 * time.Second
	crashMinRun     = 300 * time.Millisecond
	crashMaxRun     = 1500 * time.Millisecond
)

// crashTx is a signed transfer the client sent.
type crashTx struct {
	hash     string
	from, to int
	amount   uint64
}

// crashModel is the client's view: expected balances from the transfers it
// saw committed, and the transfers whose fate a kill left open.
type crashModel struct {
	mu        sync.Mutex
	addrs     []ledger.Address
	bal       []uint64
	fees      uint64
	committed []string
	uncertain []crashTx
}

// commit applies a transfer that the chain reports committed with code 0.
func (m *crashModel) commit(tx crashTx) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bal[tx.from] -= tx.amount + crashFee
	m.bal[tx.to] += tx.amount
	m.fees += crashFee
	m.committed = append(m.committed, tx.hash)
}

func (m *crashModel) leaveOpen(txs ...crashTx) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uncertain = append(m.uncertain, txs...)
}

// crashLoad sends rounds of signed transfers until ctx ends or max are
// sent: each round every sender broadcasts crashPerSender transfers with
// consecutive sequences (several per block), then the client waits for each
// one. A transfer it sees committed goes into the model; one whose fate is
// unknown when the node dies is left open. It returns an error only for an
// answer that a healthy node must not give.
func crashLoad(ctx context.Context, c *client.Client, chainID string, keys []sig.PrivateKey, seqs []uint64, m *crashModel, rng *rand.Rand) (int, error) {
	sent := 0
	deadline := time.Now().Add(crashLoadFor)
	for sent < crashMaxTxs && ctx.Err() == nil && time.Now().Before(deadline) {
		var round []crashTx
		for from, k := range keys {
			for range crashPerSender {
				to := (from + 1 + rng.IntN(len(m.addrs)-1)) % len(m.addrs)
				tx := crashTx{from: from, to: to, amount: 1 + rng.Uint64N(1_000_000)}
				v, err := proto.Marshal(&bankv1.MsgSend{To: m.addrs[to][:], Amount: tx.amount})
				if err != nil {
					return sent, err
				}
				raw, err := app.BuildTx(k, &txv1.TxBody{ChainId: chainID, Sequence: seqs[from], Fee: crashFee,
					Msgs: []*txv1.Msg{{Type: bank.TypeSend, Value: v}}})
				if err != nil {
					return sent, err
				}
				h := app.HashTx(raw)
				tx.hash = fmt.Sprintf("%X", h[:])
				chk, err := c.Broadcast(ctx, raw)
				if err != nil {
					// The node may have taken it before it died.
					m.leaveOpen(append(round, tx)...)
					return sent, nil
				}
				if chk.Code != ledger.CodeOK {
					m.leaveOpen(round...)
					return sent, fmt.Errorf("tx %s from account %d sequence %d: CheckTx answered %s (%d): %s", tx.hash, from, seqs[from], chk.Code, uint32(chk.Code), chk.Log)
				}
				seqs[from]++
				sent++
				round = append(round, tx)
			}
		}
		for i, tx := range round {
			rec, err := c.WaitTx(ctx, tx.hash, crashWaitTx)
			if err != nil {
				m.leaveOpen(round[i:]...)
				return sent, nil
			}
			if rec.Code != uint32(ledger.CodeOK) {
				m.leaveOpen(round[i+1:]...)
				return sent, fmt.Errorf("tx %s failed in block %d: %s (%d): %s", tx.hash, rec.Height, rec.Status, rec.Code, rec.Log)
			}
			m.commit(tx)
		}
	}
	return sent, nil
}

// crashVerify settles the open transfers against the restarted chain, then
// checks that every committed transfer is indexed with code 0, that every
// balance and the fee collector match the model, and that the supply equals
// their sum. It returns the accounts' sequences on the chain.
func crashVerify(t *testing.T, n *procNode, m *crashModel, supply uint64) []uint64 {
	t.Helper()
	landed := 0
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
			landed++
		default:
			t.Errorf("open tx %s: failed in block %d with %s: %s", tx.hash, rec.Height, rec.Status, rec.Log)
		}
	}
	if len(m.uncertain) > 0 {
		t.Logf("open transfers settled after restart: %d committed, %d lost with the mempool", landed, len(m.uncertain)-landed)
	}
	m.uncertain = nil
	for _, h := range m.committed {
		rec, err := n.client.Tx(context.Background(), h)
		if err != nil {
			t.Fatalf("committed tx %s: %v", h, err)
		}
		if rec.Code != uint32(ledger.CodeOK) || rec.Hash != h {
			t.Errorf("committed tx %s: got %+v after restart, want it indexed with code 0", h, rec)
		}
	}
	seqs := make([]uint64, len(m.addrs))
	sum := uint64(0)
	for i, a := range m.addrs {
		var acc query.Account
		n.query("/accounts/"+a.String(), &acc)
		if acc.Balance != m.bal[i] {
			t.Errorf("account %d %s: got balance %d, want %d from the committed transfers", i, a, acc.Balance, m.bal[i])
		}
		seqs[i] = acc.Sequence
		sum += acc.Balance
	}
	var fc query.Account
	n.query("/accounts/"+bank.FeeCollector.String(), &fc)
	if fc.Balance != m.fees {
		t.Errorf("fee collector: got %d upin, want %d", fc.Balance, m.fees)
	}
	sum += fc.Balance
	var s query.Supply
	n.query("/supply", &s)
	if s.Total != supply || s.Total != sum {
		t.Errorf("supply: got total %d, want %d (genesis) = sum of balances and fee collector %d", s.Total, supply, sum)
	}
	return seqs
}

// TestCrashRecovery kills `depin start` with SIGKILL at random moments
// while a client streams signed transfers, restarts it each time from the
// same home, and checks that nothing the client saw committed is lost, that
// balances equal the committed transfers, that supply is conserved and that
// the chain goes on. Under -short it kills three times.
func TestCrashRecovery(t *testing.T) {
	kills := crashKills
	if testing.Short() {
		kills = crashKillsShort
	}
	bin := depinBinary(t)
	home := filepath.Join(t.TempDir(), "home")
	keys := make([]sig.PrivateKey, crashAccounts)
	m := &crashModel{addrs: make([]ledger.Address, crashAccounts), bal: make([]uint64, crashAccounts)}
	args := []string{"init", "--home", home, "--chain-id", "crash", "--block-time", "100ms"}
	for i := range keys {
		seed := sha256.Sum256([]byte("depin-crash-test/" + strconv.Itoa(i)))
		keys[i] = sig.KeyFromSeed(seed[:])
		m.addrs[i] = ledger.AddressOf(sig.PublicOf(keys[i]))
		m.bal[i] = crashFunds
		args = append(args, "--account", m.addrs[i].String()+"="+strconv.FormatUint(crashFunds, 10))
	}
	mustSucceed(t, runDepin(t, bin, args...))
	supply := uint64(crashAccounts * crashFunds)

	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	n := newProcNode(t, bin, home)
	var top int64 // the highest height seen before a kill
	total := 0
	for k := 0; k <= kills; k++ {
		st := n.start(top)
		// Let the restarted node decide the heights its WAL left open, so
		// that every transfer sent before the kill is either in a block
		// or gone with the mempool.
		n.waitHeight(st.Height+2, procReadyTimeout)
		seqs := crashVerify(t, n, m, supply)
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
		var loadErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			sent, loadErr = crashLoad(ctx, n.client, "crash", keys, seqs, m, loadRNG)
		}()
		time.Sleep(run)
		if s, err := n.client.Status(ctx); err == nil {
			top = max(top, s.Height)
		}
		n.kill()
		cancel()
		<-done
		if loadErr != nil {
			t.Fatalf("load before kill %d: %v\n%s", k+1, loadErr, n.out.Tail(30))
		}
		total += sent
		t.Logf("kill %d: %d transfers sent, %d committed so far, %d left open, height %d", k+1, sent, len(m.committed), len(m.uncertain), top)
	}
	if len(m.committed) == 0 {
		t.Fatalf("no transfer committed in %d runs (%d sent): the load did not reach the chain", kills, total)
	}
	n.waitHeight(top+1, procReadyTimeout)
	n.stop()
}
