package node

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"

	"github.com/depin-network/depin/internal/abci"
	"github.com/depin-network/depin/internal/ledger"
)

// NewClientCreator returns the ABCI client creator of a depin node: one
// local client per CometBFT connection (consensus, mempool, query,
// snapshot), each with its own mutex, as proxy.NewConnSyncLocalClientCreator
// makes, except that CheckTxAsync, which only the mempool connection calls,
// is asynchronous: it queues the check and returns a pending ReqRes, and a
// goroutine of the connection checks the queue in batches. For each batch
// it first verifies all the signatures together (the application's
// PreVerifyTxs, when it has one: abci.Adapter's fills the app's signature
// cache), then runs the application's CheckTx on each transaction in the
// order CheckTxAsync was called, completes its ReqRes, calls the response
// callback (SetResponseCallback) and then the ReqRes's own callback, as
// CometBFT's socket client does on each response. Flush returns once every
// check queued before it has been answered and its callbacks have run.
//
// Why: CometBFT v0.38.26's mempool reactor checks a peer's gossiped
// transactions one at a time on the peer's receive goroutine
// (mempool/reactor.go, Receive), and a synchronous client makes it wait for
// each check, so gossiped signatures were verified almost one by one
// (batches of 1.8, BENCHMARKS.md "Issue 18, second pass"). With this client
// the reactor queues the transaction and reads the next one while the
// queue is checked, so a peer's transactions, and those of all peers and
// RPC clients at once, share one batch verification.
//
// The contract CometBFT relies on, in v0.38.26's mempool/clist_mempool.go
// and state/execution.go: (1) responses come in the order of the requests,
// because a peer gossips a sender's sequences in order and the application
// refuses gaps, and because a recheck (CheckTxType_Recheck, sent for every
// mempool transaction in list order and then Flush) matches the responses
// to the list in order; one goroutine takes the queue in order, so they do.
// (2) Flush waits for everything queued: Commit locks the mempool (so no new
// CheckTx starts), calls FlushAppConn, then the application's Commit and
// the mempool's Update, so no check runs against a block half committed and
// every admitted transaction is in the mempool's list before Update. (3)
// Either the callback runs or an error is returned: every queued request is
// answered exactly once. A CheckTx that returns an error or panics answers
// its request with a refusal (ledger.CodeCheckFailed, "check_failed") so
// the transaction is not admitted, reports the failure (NewClientCreator's
// onFail: the node logs it and counts it in
// depin_mempool_check_failures_total), and the connection goes on: a
// transaction that makes CheckTx panic must not stop every node it is
// gossiped to. abci.Adapter never returns an error; a failure of the
// node's store still halts it in FinalizeBlock. A panic in the signature
// pre-verification or in a callback is not recovered: it stops the node.
// (5) The queue is bounded (maxCheckQueue): CheckTxAsync waits while it is
// full, so gossip and broadcast_tx_async feel the checks' cost as they did
// with a synchronous client (CometBFT's socket client bounds its queue the
// same way). Waiting cannot deadlock: the checking goroutine and the
// mempool's callbacks take no mempool lock. (4) The RPC's broadcast_tx_sync waits for the
// ReqRes callback, which the mempool sets after CheckTxAsync returns; if
// the check was already answered by then, SetCallback calls it at once.
//
// The synchronous CheckTx, which only the RPC's check_tx makes (the mempool
// adds transactions with CheckTxAsync), goes to the application's
// DryCheckTx when it has one: it must not reserve a sequence for a
// transaction that never enters the mempool. Every other call keeps the
// connection's mutex, so the consensus connection (InitChain,
// PrepareProposal, ProcessProposal, FinalizeBlock, Commit) is serialized.
// The application's CheckTx must be safe for concurrent use with the other
// connections' calls; app.App's is.
//
// onFail, if not nil, is told of every check that failed inside the node.
func NewClientCreator(app abcitypes.Application, onFail func(error)) proxy.ClientCreator {
	return clientCreator{app: app, onFail: onFail}
}

type clientCreator struct {
	app    abcitypes.Application
	onFail func(error)
}

func (c clientCreator) NewABCIClient() (abcicli.Client, error) {
	cl := &checkTxClient{Client: abcicli.NewLocalClient(nil, c.app), app: c.app, onFail: c.onFail}
	cl.dry, _ = unwrapApp(c.app).(dryChecker)
	cl.pre, _ = unwrapApp(c.app).(preVerifier)
	cl.idle.L = &cl.qmu
	cl.space.L = &cl.qmu
	return cl, nil
}

var (
	_ dryChecker  = (*abci.Adapter)(nil)
	_ preVerifier = (*abci.Adapter)(nil)
)

// dryChecker is an application with a CheckTx that changes nothing
// (abci.Adapter.DryCheckTx).
type dryChecker interface {
	DryCheckTx(context.Context, *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error)
}

// preVerifier is an application that can verify the signatures of
// transactions about to be checked in one batch (abci.Adapter.PreVerifyTxs).
type preVerifier interface {
	PreVerifyTxs(txs [][]byte)
}

// unwrapper is an application wrapped by the node (measuredApp), which
// hands out the application it wraps.
type unwrapper interface {
	Unwrap() abcitypes.Application
}

// unwrapApp returns the innermost application under the node's wrappers.
func unwrapApp(app abcitypes.Application) abcitypes.Application {
	for {
		u, ok := app.(unwrapper)
		if !ok {
			return app
		}
		app = u.Unwrap()
	}
}

// maxCheckBatch bounds the checks taken from the queue at once.
const maxCheckBatch = 64

// maxCheckYields bounds how often the checking goroutine yields its
// processor before a batch to let more checks queue (the rule of
// internal/app's sigBatcher: keep yielding while a yield brings requests,
// stop after two that bring none).
const maxCheckYields = 4

// maxCheckQueue bounds the checks waiting in the queue: 64 batches.
const maxCheckQueue = 64 * maxCheckBatch

// checkTxClient is a connection-synchronized local client whose
// CheckTxAsync is asynchronous and batched (see NewClientCreator).
type checkTxClient struct {
	abcicli.Client // every other call, under the connection's mutex
	app            abcitypes.Application
	dry            dryChecker  // nil: the synchronous CheckTx is the app's
	pre            preVerifier // nil: signatures are verified by CheckTx alone
	onFail         func(error) // nil: failed checks are only refused

	mu sync.Mutex // serializes calls of cb
	cb abcicli.Callback

	qmu     sync.Mutex
	queue   []pendingCheck
	running bool      // a goroutine is checking the queue; false only when it is empty
	idle    sync.Cond // on qmu: broadcast when running turns false
	space   sync.Cond // on qmu: broadcast when checks leave the queue
}

// pendingCheck is a queued CheckTxAsync.
type pendingCheck struct {
	ctx context.Context
	req *abcitypes.RequestCheckTx
	rr  *abcicli.ReqRes
}

// SetResponseCallback records the callback for CheckTxAsync responses and
// passes it on to the wrapped client.
func (c *checkTxClient) SetResponseCallback(cb abcicli.Callback) {
	c.mu.Lock()
	c.cb = cb
	c.mu.Unlock()
	c.Client.SetResponseCallback(cb)
}

// CheckTxAsync queues a check and returns its pending ReqRes; the
// connection's checking goroutine answers it (see NewClientCreator). It
// waits while the queue holds maxCheckQueue checks.
func (c *checkTxClient) CheckTxAsync(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcicli.ReqRes, error) {
	rr := abcicli.NewReqRes(abcitypes.ToRequestCheckTx(req))
	c.qmu.Lock()
	for len(c.queue) >= maxCheckQueue {
		c.space.Wait()
	}
	c.queue = append(c.queue, pendingCheck{ctx: ctx, req: req, rr: rr})
	if !c.running {
		c.running = true
		go c.drain()
	}
	c.qmu.Unlock()
	return rr, nil
}

// Flush waits until every check queued before it has been answered and its
// callbacks have returned.
func (c *checkTxClient) Flush(ctx context.Context) error {
	c.qmu.Lock()
	for c.running {
		c.idle.Wait()
	}
	c.qmu.Unlock()
	return c.Client.Flush(ctx)
}

// Stop answers the queued checks before the connection stops, so that no
// check runs on an application that is shutting down.
func (c *checkTxClient) Stop() error {
	if err := c.Flush(context.Background()); err != nil {
		return err
	}
	return c.Client.Stop()
}

// drain checks the queue in batches, in order, until it is empty.
func (c *checkTxClient) drain() {
	c.qmu.Lock()
	for {
		for y, idle := 0, 0; y < maxCheckYields && len(c.queue) < maxCheckBatch; y++ {
			n := len(c.queue)
			c.qmu.Unlock()
			runtime.Gosched()
			c.qmu.Lock()
			if len(c.queue) > n {
				idle = 0
			} else if idle++; idle >= 2 {
				break
			}
		}
		if len(c.queue) == 0 {
			c.running = false
			c.idle.Broadcast()
			c.qmu.Unlock()
			return
		}
		n := min(len(c.queue), maxCheckBatch)
		batch := c.queue[:n:n]
		c.queue = append([]pendingCheck(nil), c.queue[n:]...)
		c.space.Broadcast()
		c.qmu.Unlock()
		c.checkBatch(batch)
		c.qmu.Lock()
	}
}

// checkBatch verifies a batch's signatures together, then checks and
// answers each request in order.
func (c *checkTxClient) checkBatch(batch []pendingCheck) {
	if c.pre != nil && len(batch) > 1 {
		txs := make([][]byte, len(batch))
		for i, p := range batch {
			txs[i] = p.req.Tx
		}
		c.pre.PreVerifyTxs(txs)
	}
	for _, p := range batch {
		rs := abcitypes.ToResponseCheckTx(c.check(p))
		p.rr.Response = rs
		p.rr.Done()
		c.respond(p.rr.Request, rs)
		p.rr.InvokeCallback()
	}
}

// check runs the application's CheckTx on one request; an error or a panic
// becomes a refusal.
func (c *checkTxClient) check(p pendingCheck) (res *abcitypes.ResponseCheckTx) {
	defer func() {
		if r := recover(); r != nil {
			res = c.failed(fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	res, err := c.app.CheckTx(p.ctx, p.req)
	if err != nil {
		return c.failed(err)
	}
	return res
}

// failed reports a check that failed inside the node and returns the
// refusal its request gets.
func (c *checkTxClient) failed(err error) *abcitypes.ResponseCheckTx {
	if c.onFail != nil {
		c.onFail(err)
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return &abcitypes.ResponseCheckTx{Code: uint32(ledger.CodeCheckFailed), Codespace: "depin",
		Log: "the node failed to check the transaction: " + msg}
}

// CheckTx is the synchronous check, which only the RPC's check_tx makes
// (the mempool adds transactions with CheckTxAsync): it must not reserve a
// sequence for a transaction that never enters the mempool, so it goes to
// the application's DryCheckTx when it has one.
func (c *checkTxClient) CheckTx(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	if c.dry != nil {
		return c.dry.DryCheckTx(ctx, req)
	}
	return c.Client.CheckTx(ctx, req)
}

func (c *checkTxClient) respond(rq *abcitypes.Request, rs *abcitypes.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cb != nil {
		c.cb(rq, rs)
	}
}
