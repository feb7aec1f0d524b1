package node

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// probeApp records how many calls of each kind run at once. CheckTx and
// FinalizeBlock wait on gate, so that calls that may overlap do.
type probeApp struct {
	abcitypes.BaseApplication
	gate              chan struct{}
	checks, finalizes atomic.Int32
	maxChecks, maxFin atomic.Int32
}

func raise(max *atomic.Int32, v int32) {
	for {
		m := max.Load()
		if v <= m || max.CompareAndSwap(m, v) {
			return
		}
	}
}

func (p *probeApp) CheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	raise(&p.maxChecks, p.checks.Add(1))
	<-p.gate
	p.checks.Add(-1)
	return &abcitypes.ResponseCheckTx{Code: uint32(len(req.Tx))}, nil
}

func (p *probeApp) FinalizeBlock(_ context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	raise(&p.maxFin, p.finalizes.Add(1))
	<-p.gate
	p.finalizes.Add(-1)
	return &abcitypes.ResponseFinalizeBlock{}, nil
}

// waitFor polls cond; the deadline only keeps a broken client from hanging
// the test, it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestClientChecksConcurrently: CheckTxAsync calls on one connection run
// the app at the same time, every response reaches the global callback once
// and the per-request callback once, while FinalizeBlock calls on a
// connection of the same creator stay one at a time.
func TestClientChecksConcurrently(t *testing.T) {
	const n = 4
	app := &probeApp{gate: make(chan struct{})}
	cc := NewClientCreator(app)
	mempool, err := cc.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	consensus, err := cc.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	global := make(map[int]int)
	mempool.SetResponseCallback(func(req *abcitypes.Request, res *abcitypes.Response) {
		mu.Lock()
		global[len(req.GetCheckTx().Tx)]++
		mu.Unlock()
	})
	var perRequest atomic.Int32
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			rr, err := mempool.CheckTxAsync(context.Background(), &abcitypes.RequestCheckTx{Tx: make([]byte, i)})
			if err != nil {
				t.Error(err)
				return
			}
			rr.SetCallback(func(res *abcitypes.Response) {
				if got := res.GetCheckTx().Code; got != uint32(i) {
					t.Errorf("per-request callback: got code %d, want %d", got, i)
				}
				perRequest.Add(1)
			})
		}()
		go func() {
			defer wg.Done()
			if _, err := consensus.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{}); err != nil {
				t.Error(err)
			}
		}()
	}
	waitFor(t, "all CheckTx calls inside the app at once", func() bool { return app.checks.Load() == n })
	for range 2 * n {
		app.gate <- struct{}{}
	}
	wg.Wait()
	if got := app.maxChecks.Load(); got != n {
		t.Errorf("concurrent CheckTx calls: got at most %d, want %d", got, n)
	}
	if got := app.maxFin.Load(); got != 1 {
		t.Errorf("concurrent FinalizeBlock calls: got at most %d, want 1", got)
	}
	if got := perRequest.Load(); got != n {
		t.Errorf("per-request callbacks: got %d, want %d", got, n)
	}
	for i := 1; i <= n; i++ {
		if global[i] != 1 {
			t.Errorf("global callback for tx of %d bytes: got %d calls, want 1", i, global[i])
		}
	}
}

// dryApp records which check ran.
type dryApp struct {
	abcitypes.BaseApplication
	checks, dry atomic.Int32
}

func (d *dryApp) CheckTx(context.Context, *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	d.checks.Add(1)
	return &abcitypes.ResponseCheckTx{}, nil
}

func (d *dryApp) DryCheckTx(context.Context, *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	d.dry.Add(1)
	return &abcitypes.ResponseCheckTx{Code: 7}, nil
}

// The RPC's check_tx (the mempool connection's synchronous CheckTx) goes to
// the app's side-effect-free DryCheckTx; the mempool's CheckTxAsync to
// CheckTx, which reserves (issue 8 item 4).
func TestSyncCheckTxIsDry(t *testing.T) {
	app := &dryApp{}
	c, err := NewClientCreator(app).NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.CheckTx(context.Background(), &abcitypes.RequestCheckTx{Tx: []byte{1}})
	if err != nil || res.Code != 7 {
		t.Fatalf("sync check: %v, code %d; want the dry check's 7", err, res.GetCode())
	}
	if _, err := c.CheckTxAsync(context.Background(), &abcitypes.RequestCheckTx{Tx: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	if app.dry.Load() != 1 || app.checks.Load() != 1 {
		t.Fatalf("dry checks %d, reserving checks %d; want 1 and 1", app.dry.Load(), app.checks.Load())
	}
}
