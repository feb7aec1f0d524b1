package node

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	mempl "github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/proxy"
)

// cometApp answers CometBFT's mempool: a recheck refuses a third of the
// transactions, and a first check of a transaction ending in 7 panics.
type cometApp struct {
	abcitypes.BaseApplication
	pre atomic.Int64
}

func (a *cometApp) CheckTx(_ context.Context, r *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	if r.Type == abcitypes.CheckTxType_Recheck && r.Tx[len(r.Tx)-1]%3 == 0 {
		return &abcitypes.ResponseCheckTx{Code: 1}, nil
	}
	if r.Tx[len(r.Tx)-1] == '7' && r.Type == abcitypes.CheckTxType_New {
		panic("boom")
	}
	return &abcitypes.ResponseCheckTx{}, nil
}

func (a *cometApp) PreVerifyTxs(txs [][]byte) { a.pre.Add(int64(len(txs))) }

// TestClientWithCometMempool drives CometBFT v0.38.26's own CListMempool
// over the node's client: six goroutines check 12,000 transactions while
// blocks are reaped, the mempool is locked and flushed, updated and
// rechecked (with more transactions in it than the client's queue holds,
// so a recheck waits for the queue under the mempool's lock). Every check
// is answered exactly once, nothing deadlocks, and the mempool's own
// recheck bookkeeping (which panics on a response out of order) holds.
func TestClientWithCometMempool(t *testing.T) {
	app := &cometApp{}
	conns := proxy.NewAppConns(NewClientCreator(app, nil), proxy.NopMetrics())
	if err := conns.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conns.Stop() }()
	c := cfg.TestMempoolConfig()
	c.Recheck = true
	c.Size = 100000
	mp := mempl.NewCListMempool(c, conns.Mempool(), 0)
	var wg sync.WaitGroup
	var answered atomic.Int64
	// First a mempool larger than the client's queue, rechecked as a whole.
	const first = 6000
	for i := range first {
		if err := mp.CheckTx([]byte(fmt.Sprintf("p%05d", i)), func(*abcitypes.ResponseCheckTx) { answered.Add(1) }, mempl.TxInfo{}); err != nil {
			t.Fatal(err)
		}
	}
	mp.Lock()
	if err := mp.FlushAppConn(); err != nil {
		t.Fatal(err)
	}
	if n := mp.Size(); n <= maxCheckQueue {
		t.Fatalf("mempool holds %d transactions, want more than the queue's %d", n, maxCheckQueue)
	}
	if err := mp.Update(1, nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	mp.Unlock()
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				tx := []byte(fmt.Sprintf("g%d-%05d", g, i))
				if err := mp.CheckTx(tx, func(*abcitypes.ResponseCheckTx) { answered.Add(1) }, mempl.TxInfo{}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	h := int64(1)
	for loop := true; loop; {
		select {
		case <-done:
			loop = false
		default:
		}
		h++
		txs := mp.ReapMaxTxs(50)
		mp.Lock()
		if err := mp.FlushAppConn(); err != nil {
			t.Fatal(err)
		}
		res := make([]*abcitypes.ExecTxResult, len(txs))
		for i := range res {
			res[i] = &abcitypes.ExecTxResult{}
		}
		if err := mp.Update(h, txs, res, nil, nil); err != nil {
			t.Fatal(err)
		}
		mp.Unlock()
	}
	mp.Lock()
	_ = mp.FlushAppConn()
	mp.Unlock()
	if answered.Load() != first+12000 {
		t.Fatalf("answered %d of %d", answered.Load(), first+12000)
	}
	if app.pre.Load() == 0 {
		t.Fatal("no batch was pre-verified")
	}
	t.Logf("heights %d, mempool size %d, pre-verified %d", h, mp.Size(), app.pre.Load())
}
