package node

import (
	"context"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"

	"github.com/depin-network/depin/internal/abci"
)

// NewClientCreator returns the ABCI client creator of a depin node: one
// local client per CometBFT connection (consensus, mempool, query,
// snapshot), each with its own mutex, as proxy.NewConnSyncLocalClientCreator
// makes, except that CheckTxAsync runs the application's CheckTx outside
// that mutex. Only the mempool connection calls CheckTxAsync, so
// concurrent broadcast_tx_* requests and gossiped transactions are checked
// on every core at once, while the consensus connection (InitChain,
// PrepareProposal, ProcessProposal, FinalizeBlock, Commit) stays
// serialized. CometBFT v1 goes further: its NewUnsyncLocalClientCreator
// takes no mutex on any connection, and its ClientCreator builds each
// connection's client by name (cometbft/cometbft PR #1141). In v0.38 a
// creator cannot tell connections apart, so this client keeps the
// per-connection mutex of tendermint PR #9830 for every call but
// CheckTxAsync, which only the mempool connection makes.
//
// The application's CheckTx must be safe for concurrent use; app.App's is
// (it checks and reserves a sender's sequence under one lock). CometBFT's
// CListMempool already runs CheckTx requests concurrently under the read
// side of its update lock and excludes them while it commits a block
// (mempool/clist_mempool.go, state/execution.go in v0.38.26), so a check
// never sees a block half committed. The response callback set by the
// mempool (SetResponseCallback) is still called one response at a time,
// as the local client does.
func NewClientCreator(app abcitypes.Application) proxy.ClientCreator {
	return clientCreator{app: app}
}

type clientCreator struct{ app abcitypes.Application }

func (c clientCreator) NewABCIClient() (abcicli.Client, error) {
	return &checkTxClient{Client: abcicli.NewLocalClient(nil, c.app), app: c.app}, nil
}

// checkTxClient is a connection-synchronized local client whose
// CheckTxAsync does not take the connection's mutex.
type checkTxClient struct {
	abcicli.Client // every other call, under the connection's mutex
	app            abcitypes.Application

	mu sync.Mutex // serializes calls of cb
	cb abcicli.Callback
}

// SetResponseCallback records the callback for CheckTxAsync responses and
// passes it on to the wrapped client.
func (c *checkTxClient) SetResponseCallback(cb abcicli.Callback) {
	c.mu.Lock()
	c.cb = cb
	c.mu.Unlock()
	c.Client.SetResponseCallback(cb)
}

// CheckTxAsync checks a transaction at once, on the caller's goroutine and
// without the connection's mutex, then calls the response callback. The
// returned ReqRes is complete: a callback the caller sets on it runs at
// once, as with the local client.
func (c *checkTxClient) CheckTxAsync(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcicli.ReqRes, error) {
	res, err := c.app.CheckTx(ctx, req)
	if err != nil {
		return nil, err
	}
	rq, rs := abcitypes.ToRequestCheckTx(req), abcitypes.ToResponseCheckTx(res)
	c.respond(rq, rs)
	rr := abcicli.NewReqRes(rq)
	rr.Response = rs
	rr.InvokeCallback() // no callback set yet: marks it invoked, so SetCallback calls at once
	return rr, nil
}

var _ dryChecker = (*abci.Adapter)(nil)

// dryChecker is an application with a CheckTx that changes nothing
// (abci.Adapter.DryCheckTx).
type dryChecker interface {
	DryCheckTx(context.Context, *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error)
}

// CheckTx is the synchronous check, which only the RPC's check_tx makes
// (the mempool adds transactions with CheckTxAsync): it must not reserve a
// sequence for a transaction that never enters the mempool, so it goes to
// the application's DryCheckTx when it has one.
func (c *checkTxClient) CheckTx(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	if d, ok := c.app.(dryChecker); ok {
		return d.DryCheckTx(ctx, req)
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
