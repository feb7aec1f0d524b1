package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/depin-network/depin/internal/ledger"
)

// orderApp records the order of its PreVerifyTxs and CheckTx calls in one
// log, answers each check with a code derived from the transaction, and
// fails or panics on request. A check of a transaction in block waits on
// gate first.
type orderApp struct {
	abcitypes.BaseApplication
	mu    sync.Mutex
	log   []string // "pre:<tx>,<tx>..." or "check:<tx>"
	block map[string]bool
	gate  chan struct{}
	in    atomic.Int32 // checks inside the app now

	finalizes, maxFin atomic.Int32
	finGate           chan struct{}
}

func (o *orderApp) record(s string) {
	o.mu.Lock()
	o.log = append(o.log, s)
	o.mu.Unlock()
}

func (o *orderApp) logged() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.log)
}

func (o *orderApp) PreVerifyTxs(txs [][]byte) {
	s := "pre:"
	for i, tx := range txs {
		if i > 0 {
			s += ","
		}
		s += string(tx)
	}
	o.record(s)
}

// codeOf is the answer orderApp gives for tx.
func codeOf(tx []byte) uint32 { return uint32(len(tx))*1000 + uint32(tx[len(tx)-1]) }

func (o *orderApp) CheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	o.in.Add(1)
	defer o.in.Add(-1)
	tx := string(req.Tx)
	if o.block[tx] {
		<-o.gate
	}
	o.record("check:" + tx)
	switch tx {
	case "fail":
		return nil, errors.New("app broke")
	case "panic":
		panic("app panicked")
	}
	return &abcitypes.ResponseCheckTx{Code: codeOf(req.Tx), Log: tx}, nil
}

func (o *orderApp) FinalizeBlock(context.Context, *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	raise(&o.maxFin, o.finalizes.Add(1))
	<-o.finGate
	o.finalizes.Add(-1)
	return &abcitypes.ResponseFinalizeBlock{}, nil
}

func raise(max *atomic.Int32, v int32) {
	for {
		m := max.Load()
		if v <= m || max.CompareAndSwap(m, v) {
			return
		}
	}
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

func newTestClient(t *testing.T, app abcitypes.Application) abcicli.Client {
	t.Helper()
	c, err := NewClientCreator(app, nil).NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// callbacks counts, per transaction, the global callback's calls (in
// order) and the per-request callbacks' calls, with the codes they saw.
type callbacks struct {
	mu         sync.Mutex
	global     []string
	perRequest map[string]int
	bad        []string
}

func (cb *callbacks) onGlobal(req *abcitypes.Request, res *abcitypes.Response) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	tx := req.GetCheckTx().Tx
	cb.global = append(cb.global, string(tx))
	if got := res.GetCheckTx().GetCode(); got != codeOf(tx) && string(tx) != "fail" && string(tx) != "panic" {
		cb.bad = append(cb.bad, fmt.Sprintf("global %s: code %d, want %d", tx, got, codeOf(tx)))
	}
}

func (cb *callbacks) onRequest(tx []byte) func(*abcitypes.Response) {
	return func(res *abcitypes.Response) {
		cb.mu.Lock()
		defer cb.mu.Unlock()
		if cb.perRequest == nil {
			cb.perRequest = make(map[string]int)
		}
		cb.perRequest[string(tx)]++
		want := codeOf(tx)
		if string(tx) == "fail" || string(tx) == "panic" {
			want = uint32(ledger.CodeCheckFailed)
		}
		if got := res.GetCheckTx().GetCode(); got != want {
			cb.bad = append(cb.bad, fmt.Sprintf("request %s: code %d, want %d", tx, got, want))
		}
	}
}

func submit(t *testing.T, c abcicli.Client, cb *callbacks, tx []byte) {
	t.Helper()
	rr, err := c.CheckTxAsync(context.Background(), &abcitypes.RequestCheckTx{Tx: tx})
	if err != nil {
		t.Error(err)
		return
	}
	rr.SetCallback(cb.onRequest(tx))
}

// checkLog holds the app's log to the rules: every check follows the
// previous one's answer, and a batch pre-verified is exactly the run of
// checks that follows it, in order.
func checkLog(t *testing.T, log []string) (checks []string, batches int) {
	t.Helper()
	var want []string
	for _, e := range log {
		switch {
		case len(want) > 0:
			if e != "check:"+want[0] {
				t.Fatalf("after a pre-verified batch: got %q, want check:%s (log %q)", e, want[0], log)
			}
			want = want[1:]
			checks = append(checks, e[len("check:"):])
		case e[:4] == "pre:":
			batches++
			for _, tx := range splitComma(e[4:]) {
				want = append(want, tx)
			}
			if len(want) < 2 {
				t.Fatalf("pre-verified a batch of %d: %q", len(want), e)
			}
		default:
			checks = append(checks, e[len("check:"):])
		}
	}
	if len(want) > 0 {
		t.Fatalf("pre-verified %q but never checked them", want)
	}
	return checks, batches
}

func splitComma(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ',' {
			i++
		}
		out = append(out, s[:i])
		s = s[min(i+1, len(s)):]
	}
	return out
}

// TestClientAnswersInOrder: submitters that each send their own sequence of
// transactions (as a peer's receive routine and the recheck do) see them
// checked in that order; every request gets the global callback and its
// own callback exactly once, with its own answer, even when the callback is
// set after the answer; Flush returns only after all of that.
func TestClientAnswersInOrder(t *testing.T) {
	const submitters, each = 6, 50
	app := &orderApp{}
	c := newTestClient(t, app)
	cb := &callbacks{}
	c.SetResponseCallback(cb.onGlobal)
	var wg sync.WaitGroup
	for s := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				submit(t, c, cb, []byte(fmt.Sprintf("s%d-%03d", s, i)))
			}
		}()
	}
	wg.Wait()
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.bad) > 0 {
		t.Fatal(cb.bad)
	}
	checks, _ := checkLog(t, app.logged())
	if len(checks) != submitters*each || len(cb.global) != submitters*each || len(cb.perRequest) != submitters*each {
		t.Fatalf("got %d checks, %d global callbacks, %d requests called back; want %d each",
			len(checks), len(cb.global), len(cb.perRequest), submitters*each)
	}
	if !slices.Equal(checks, cb.global) {
		t.Fatal("the global callback saw the answers in another order than the app checked them")
	}
	for tx, n := range cb.perRequest {
		if n != 1 {
			t.Errorf("%s: per-request callback called %d times, want 1", tx, n)
		}
	}
	next := make(map[byte]int)
	for _, tx := range checks {
		s, i := tx[1], 0
		fmt.Sscanf(tx[3:], "%d", &i)
		if i != next[s] {
			t.Fatalf("submitter %c: checked %d after %d", s, i, next[s]-1)
		}
		next[s]++
	}
}

// TestClientBatchesWhileChecking: transactions queued while a check runs
// are pre-verified together, then checked in their order.
func TestClientBatchesWhileChecking(t *testing.T) {
	app := &orderApp{block: map[string]bool{"first": true}, gate: make(chan struct{})}
	c := newTestClient(t, app)
	cb := &callbacks{}
	c.SetResponseCallback(cb.onGlobal)
	submit(t, c, cb, []byte("first"))
	waitFor(t, "the first check inside the app", func() bool { return app.in.Load() == 1 })
	var queued []string
	for i := range 10 {
		tx := fmt.Sprintf("next-%d", i)
		queued = append(queued, tx)
		submit(t, c, cb, []byte(tx))
	}
	close(app.gate)
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := app.logged()
	checks, batches := checkLog(t, log)
	if want := append([]string{"first"}, queued...); !slices.Equal(checks, want) {
		t.Fatalf("checked %q, want %q", checks, want)
	}
	if batches != 1 || log[1] != "pre:"+joinComma(queued) {
		t.Fatalf("log %q: want the ten queued transactions pre-verified as one batch", log)
	}
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// TestClientFlushWaits: Flush does not return while a queued check is
// unanswered, and when it returns every callback has run.
func TestClientFlushWaits(t *testing.T) {
	app := &orderApp{block: map[string]bool{"a": true, "b": true, "c": true}, gate: make(chan struct{})}
	c := newTestClient(t, app)
	cb := &callbacks{}
	c.SetResponseCallback(cb.onGlobal)
	for _, tx := range []string{"a", "b", "c"} {
		submit(t, c, cb, []byte(tx))
	}
	waitFor(t, "a check inside the app", func() bool { return app.in.Load() == 1 })
	flushed := make(chan int)
	go func() {
		if err := c.Flush(context.Background()); err != nil {
			t.Error(err)
		}
		cb.mu.Lock()
		n := len(cb.global) + len(cb.perRequest)
		cb.mu.Unlock()
		flushed <- n
	}()
	for range 3 {
		select {
		case <-flushed:
			t.Fatal("Flush returned while a check was blocked in the app")
		case app.gate <- struct{}{}:
		}
	}
	if n := <-flushed; n != 6 {
		t.Fatalf("when Flush returned: %d callbacks had run, want 6", n)
	}
}

// TestClientCheckErrors: a CheckTx that fails or panics answers its own
// request with a refusal, exactly once; the checks around it are answered
// as usual and the connection goes on.
func TestClientCheckErrors(t *testing.T) {
	app := &orderApp{}
	var reported []error
	cl, err := NewClientCreator(app, func(err error) { reported = append(reported, err) }).NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	c := cl
	cb := &callbacks{}
	var failed []*abcitypes.ResponseCheckTx
	c.SetResponseCallback(func(req *abcitypes.Request, res *abcitypes.Response) {
		if tx := string(req.GetCheckTx().Tx); tx == "fail" || tx == "panic" {
			failed = append(failed, res.GetCheckTx())
		}
		cb.onGlobal(req, res)
	})
	txs := []string{"x1", "fail", "x2", "panic", "x3"}
	for _, tx := range txs {
		submit(t, c, cb, []byte(tx))
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Error(); err != nil {
		t.Fatalf("client error after a failed check: %v", err)
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.bad) > 0 {
		t.Fatal(cb.bad)
	}
	if !slices.Equal(cb.global, txs) {
		t.Fatalf("global callbacks %q, want %q", cb.global, txs)
	}
	for _, tx := range txs {
		if cb.perRequest[tx] != 1 {
			t.Errorf("%s: per-request callback called %d times, want 1", tx, cb.perRequest[tx])
		}
	}
	if len(failed) != 2 {
		t.Fatalf("got %d refusals, want 2", len(failed))
	}
	for _, r := range failed {
		if r.Code != uint32(ledger.CodeCheckFailed) || r.Codespace != "depin" || r.Log == "" {
			t.Errorf("refusal %+v: want code %d, codespace depin and the error in the log", r, ledger.CodeCheckFailed)
		}
	}
	if len(reported) != 2 || !strings.Contains(reported[0].Error(), "app broke") || !strings.Contains(reported[1].Error(), "app panicked") {
		t.Fatalf("reported failures %v, want the error and the panic", reported)
	}
}

// TestClientQueueBounded: while the queue holds maxCheckQueue checks,
// CheckTxAsync waits (gossip and broadcast_tx_async feel the checks'
// cost); once checks leave the queue it goes on, and every check is
// answered in order.
func TestClientQueueBounded(t *testing.T) {
	app := &orderApp{block: map[string]bool{"first": true}, gate: make(chan struct{})}
	c := newTestClient(t, app)
	cb := &callbacks{}
	c.SetResponseCallback(cb.onGlobal)
	submit(t, c, cb, []byte("first"))
	waitFor(t, "the first check inside the app", func() bool { return app.in.Load() == 1 })
	var sent atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range maxCheckQueue + 10 {
			submit(t, c, cb, []byte(fmt.Sprintf("q%05d", i)))
			sent.Add(1)
		}
	}()
	waitFor(t, "the queue to fill", func() bool { return sent.Load() == maxCheckQueue })
	select {
	case <-done:
		t.Fatal("CheckTxAsync queued past maxCheckQueue while no check left the queue")
	case <-time.After(50 * time.Millisecond):
	}
	if n := sent.Load(); n != maxCheckQueue {
		t.Fatalf("%d checks queued behind a blocked check, want at most %d", n, maxCheckQueue)
	}
	close(app.gate)
	<-done
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.bad) > 0 {
		t.Fatal(cb.bad)
	}
	if len(cb.global) != maxCheckQueue+11 || !slices.IsSorted(cb.global[1:]) {
		t.Fatalf("got %d answers (in order: %v), want %d in submission order",
			len(cb.global), slices.IsSorted(cb.global[1:]), maxCheckQueue+11)
	}
}

// TestClientRecheckOrder: the mempool's recheck sends every transaction of
// its list, then Flush, and matches the global callback's responses to the
// list in order (CometBFT v0.38.26 mempool.recheckTxs); all of them have
// arrived, in order, when Flush returns.
func TestClientRecheckOrder(t *testing.T) {
	app := &orderApp{}
	c := newTestClient(t, app)
	var got []string
	c.SetResponseCallback(func(req *abcitypes.Request, res *abcitypes.Response) {
		if req.GetCheckTx().Type != abcitypes.CheckTxType_Recheck {
			t.Errorf("request type %v, want recheck", req.GetCheckTx().Type)
		}
		got = append(got, string(req.GetCheckTx().Tx))
	})
	var want []string
	for i := range 200 {
		tx := fmt.Sprintf("mempool-%03d", i)
		want = append(want, tx)
		if _, err := c.CheckTxAsync(context.Background(), &abcitypes.RequestCheckTx{Tx: []byte(tx), Type: abcitypes.CheckTxType_Recheck}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("recheck responses out of order or missing: got %d, want %d in order", len(got), len(want))
	}
}

// TestClientChecksBesideConsensus: FinalizeBlock calls on a consensus
// connection stay one at a time, and the mempool connection answers checks
// while a FinalizeBlock is inside the app.
func TestClientChecksBesideConsensus(t *testing.T) {
	app := &orderApp{finGate: make(chan struct{})}
	cc := NewClientCreator(app, nil)
	mempool, err := cc.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	consensus, err := cc.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := consensus.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{}); err != nil {
				t.Error(err)
			}
		}()
	}
	waitFor(t, "a FinalizeBlock inside the app", func() bool { return app.finalizes.Load() == 1 })
	cb := &callbacks{}
	mempool.SetResponseCallback(cb.onGlobal)
	submit(t, mempool, cb, []byte("during-block"))
	if err := mempool.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if app.finalizes.Load() != 1 {
		t.Fatal("the FinalizeBlock finished before the check was answered")
	}
	for range 3 {
		app.finGate <- struct{}{}
	}
	wg.Wait()
	if got := app.maxFin.Load(); got != 1 {
		t.Errorf("concurrent FinalizeBlock calls: got at most %d, want 1", got)
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.bad) > 0 || cb.perRequest["during-block"] != 1 {
		t.Fatalf("check during a block: %v, called back %d times", cb.bad, cb.perRequest["during-block"])
	}
}

// TestClientStopAnswersQueued: stopping the connection answers what is
// queued first.
func TestClientStopAnswersQueued(t *testing.T) {
	app := &orderApp{block: map[string]bool{"q1": true}, gate: make(chan struct{})}
	c := newTestClient(t, app)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cb := &callbacks{}
	c.SetResponseCallback(cb.onGlobal)
	submit(t, c, cb, []byte("q1"))
	submit(t, c, cb, []byte("q2"))
	waitFor(t, "a check inside the app", func() bool { return app.in.Load() == 1 })
	stopped := make(chan error)
	go func() { stopped <- c.Stop() }()
	close(app.gate)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if cb.perRequest["q1"] != 1 || cb.perRequest["q2"] != 1 {
		t.Fatalf("after Stop: callbacks %v, want q1 and q2 once each", cb.perRequest)
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
// the app's side-effect-free DryCheckTx, also under the node's measuring
// wrapper; the mempool's CheckTxAsync to CheckTx, which reserves (issue 8
// item 4).
func TestSyncCheckTxIsDry(t *testing.T) {
	for _, wrapped := range []bool{false, true} {
		app := &dryApp{}
		var a abcitypes.Application = app
		if wrapped {
			a = measuredApp{Application: app}
		}
		c := newTestClient(t, a)
		res, err := c.CheckTx(context.Background(), &abcitypes.RequestCheckTx{Tx: []byte{1}})
		if err != nil || res.Code != 7 {
			t.Fatalf("wrapped %v: sync check: %v, code %d; want the dry check's 7", wrapped, err, res.GetCode())
		}
		if _, err := c.CheckTxAsync(context.Background(), &abcitypes.RequestCheckTx{Tx: []byte{1}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if app.dry.Load() != 1 || app.checks.Load() != 1 {
			t.Fatalf("wrapped %v: dry checks %d, reserving checks %d; want 1 and 1", wrapped, app.dry.Load(), app.checks.Load())
		}
	}
}
