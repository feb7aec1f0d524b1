package uplink

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// memChain is the real state machine in memory behind the Chain interface:
// a transaction is committed in a block of its own, and a ticker commits
// empty blocks so that proof windows open and close.
type memChain struct {
	t  *testing.T
	mu sync.Mutex
	a  *app.App
	h  int64
}

const memChainID = "depin-storage-test"

func testKey(name string) sig.PrivateKey {
	seed := sha256.Sum256([]byte("depin/storage-test/" + name))
	return sig.KeyFromSeed(seed[:])
}

func testAddr(name string) ledger.Address { return ledger.AddressOf(sig.PublicOf(testKey(name))) }

func newMemChain(t *testing.T, params map[string]uint64, funded ...string) *memChain {
	t.Helper()
	a := chain.New(app.NewMemBackend())
	var bals []app.GenesisBalance
	for _, n := range append([]string{"authority"}, funded...) {
		bals = append(bals, app.GenesisBalance{Address: testAddr(n).String(), Amount: 1_000_000_000_000})
	}
	gen, _ := json.Marshal(app.Genesis{Denom: "upin", Decimals: 6, Authority: testAddr("authority").String(), Balances: bals, Params: params})
	if _, err := a.InitChain(memChainID, gen); err != nil {
		t.Fatal(err)
	}
	c := &memChain{t: t, a: a}
	c.block(nil)
	return c
}

// block commits a block and checks the invariants; the caller holds no
// lock.
func (c *memChain) block(txs [][]byte) *app.BlockResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.h++
	res, err := c.a.FinalizeBlock(app.Block{Height: c.h, Time: c.h * 1_000_000_000, Txs: txs})
	if err != nil {
		panic(err)
	}
	if err := c.a.Commit(); err != nil {
		panic(err)
	}
	if err := c.a.CheckInvariants(c.a.Committed()); err != nil {
		panic(err)
	}
	return res
}

func (c *memChain) height() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.h
}

// run commits an empty block every interval until ctx ends.
func (c *memChain) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.block(nil)
		}
	}
}

func (c *memChain) Status(context.Context) (client.Status, error) {
	return client.Status{ChainID: memChainID, Height: c.height()}, nil
}

func (c *memChain) Query(_ context.Context, path string, out any) error {
	c.mu.Lock()
	body, code, msg := query.Handle(c.a.Committed(), c.a, "/"+path)
	c.mu.Unlock()
	if code != 0 {
		return &client.QueryError{Path: path, Code: query.Code(code), Msg: msg}
	}
	return json.Unmarshal(body, out)
}

func (c *memChain) SignAndSend(_ context.Context, priv sig.PrivateKey, tx client.Tx) (*client.TxResult, error) {
	c.mu.Lock()
	seq := app.Sequence(c.a.Committed(), ledger.AddressOf(sig.PublicOf(priv)))
	c.mu.Unlock()
	raw, err := app.BuildTx(priv, &txv1.TxBody{ChainId: memChainID, Sequence: seq, Fee: tx.Fee, Msgs: tx.Msgs})
	if err != nil {
		return nil, err
	}
	res := c.block([][]byte{raw})
	r := res.Txs[0]
	out := &client.TxResult{Height: c.height(), Code: uint32(r.Code), Status: r.Code.String(), Log: r.Log}
	for _, e := range r.Events {
		qe := query.Event{Type: e.Type}
		for _, a := range e.Attrs {
			qe.Attrs = append(qe.Attrs, query.Attr{Key: a.Key, Value: a.Value})
		}
		out.Events = append(out.Events, qe)
	}
	if r.Code != ledger.CodeOK {
		return out, &client.TxError{Stage: "failed", Code: r.Code, Status: out.Status, Log: r.Log}
	}
	return out, nil
}
