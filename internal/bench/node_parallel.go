package bench

import (
	"context"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"
)

// parallelCheckCreator is an experiment for BENCHMARKS.md, not the node's
// wiring: connection-synchronized local clients (as
// proxy.NewConnSyncLocalClientCreator) except that the mempool connection
// runs the application's CheckTx outside the connection's mutex, so that
// concurrent broadcast_tx_* requests verify signatures on every core; only
// the mempool's response callback stays serialized. CometBFT v1 offers the
// same as proxy.NewUnsyncLocalClientCreator. app.App allows CheckTx to run
// concurrently; two transactions of one sender checked at once may be
// refused as a sequence gap, which the benchmark's load never produces.
type parallelCheckCreator struct{ app abcitypes.Application }

var _ proxy.ClientCreator = parallelCheckCreator{}

func (c parallelCheckCreator) NewABCIClient() (abcicli.Client, error) {
	return &parallelCheckClient{Client: abcicli.NewLocalClient(nil, c.app), app: c.app}, nil
}

type parallelCheckClient struct {
	abcicli.Client
	app abcitypes.Application
	mu  sync.Mutex
	cb  abcicli.Callback
}

func (c *parallelCheckClient) SetResponseCallback(cb abcicli.Callback) {
	c.mu.Lock()
	c.cb = cb
	c.mu.Unlock()
	c.Client.SetResponseCallback(cb)
}

func (c *parallelCheckClient) CheckTxAsync(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcicli.ReqRes, error) {
	res, err := c.app.CheckTx(ctx, req)
	if err != nil {
		return nil, err
	}
	rq, rs := abcitypes.ToRequestCheckTx(req), abcitypes.ToResponseCheckTx(res)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cb != nil {
		c.cb(rq, rs)
	}
	rr := abcicli.NewReqRes(rq)
	rr.Response = rs
	rr.InvokeCallback()
	return rr, nil
}
