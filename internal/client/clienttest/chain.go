package clienttest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/kindtest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Key derives a fixed ed25519 key from a label (tests only).
func Key(label string) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, label)
	return sig.KeyFromSeed(seed)
}

// Addr is the address of Key(label).
func Addr(label string) ledger.Address { return ledger.AddressOf(sig.PublicOf(Key(label))) }

// Chain is an app driven block by block. Its methods are safe for
// concurrent use.
type Chain struct {
	mu      sync.Mutex
	app     *app.App
	chainID string
	mempool [][]byte
	// txs are the committed transactions by hash, as CometBFT's kv
	// indexer keeps them (served at /tx).
	txs map[app.Hash]query.Tx
	// timeOf is the time of a block height in Unix nanoseconds.
	timeOf func(height int64) int64
}

// NewChain starts a chain from genesis and commits block 1 (empty), as
// CometBFT does after InitChain. Invariants are checked after every block.
func NewChain(chainID string, g app.Genesis) (*Chain, error) {
	return NewChainWithKinds(chainID, g, kindtest.Registry())
}

// NewChainWithKinds is NewChain with the given network kinds.
func NewChainWithKinds(chainID string, g app.Genesis, kinds *kind.Registry) (*Chain, error) {
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("clienttest: genesis: %w", err)
	}
	a := chain.NewWithKinds(app.NewMemBackend(), kinds)
	if _, err := a.InitChain(chainID, raw); err != nil {
		return nil, fmt.Errorf("clienttest: init chain: %w", err)
	}
	c := &Chain{app: a, chainID: chainID, txs: make(map[app.Hash]query.Tx), timeOf: func(h int64) int64 { return h * 1e9 }}
	if _, err := c.Block(); err != nil {
		return nil, err
	}
	return c, nil
}

// Genesis returns a genesis with the authority funded and each label's key
// funded with amount (denom upin, 6 decimals).
func Genesis(authority string, amount uint64, labels ...string) app.Genesis {
	g := app.Genesis{Denom: "upin", Decimals: 6, Authority: Addr(authority).String()}
	seen := map[string]bool{}
	for _, l := range append([]string{authority}, labels...) {
		if seen[l] {
			continue
		}
		seen[l] = true
		g.Balances = append(g.Balances, app.GenesisBalance{Address: Addr(l).String(), Amount: amount})
	}
	return g
}

// SetBlockTime sets the time of the blocks still to come: timeOf(h) in
// Unix nanoseconds for height h (h seconds by default). It must increase
// with h.
func (c *Chain) SetBlockTime(timeOf func(height int64) int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timeOf = timeOf
}

// App returns the app (read its committed state; drive it only through
// the chain).
func (c *Chain) App() *app.App { return c.app }

// ChainID returns the chain id.
func (c *Chain) ChainID() string { return c.chainID }

// Block commits the given transactions plus the mempool as the next block.
func (c *Chain) Block(txs ...[]byte) (*app.BlockResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := append(c.mempool, txs...)
	c.mempool = nil
	return c.block(all)
}

func (c *Chain) block(txs [][]byte) (*app.BlockResult, error) {
	h, _ := c.app.LastCommit()
	res, err := c.app.FinalizeBlock(app.Block{Height: h + 1, Time: c.timeOf(h + 1), Txs: txs})
	if err != nil {
		return nil, fmt.Errorf("clienttest: finalize block %d: %w", h+1, err)
	}
	if err := c.app.Commit(); err != nil {
		return nil, fmt.Errorf("clienttest: commit block %d: %w", h+1, err)
	}
	if err := c.app.CheckInvariants(c.app.Committed()); err != nil {
		return nil, fmt.Errorf("clienttest: after block %d: %w", h+1, err)
	}
	for i, r := range res.Txs {
		c.txs[r.Hash] = txOf(r, h+1, i)
	}
	return res, nil
}

// txOf is a result as the kv indexer returns it.
func txOf(r app.Result, height int64, index int) query.Tx {
	t := query.Tx{Hash: strings.ToUpper(hex.EncodeToString(r.Hash[:])), Height: height, Index: index,
		Code: uint32(r.Code), Status: r.Code.String(), Log: r.Log}
	for _, e := range r.Events {
		ev := query.Event{Type: e.Type, Attrs: make([]query.Attr, len(e.Attrs))}
		for i, a := range e.Attrs {
			ev.Attrs[i] = query.Attr{Key: a.Key, Value: a.Value}
		}
		t.Events = append(t.Events, ev)
	}
	return t
}

// Tx returns a committed transaction by hash (an api.TxSource).
func (c *Chain) Tx(_ context.Context, hash []byte) (query.Tx, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var h app.Hash
	if len(hash) != len(h) {
		return query.Tx{}, false, nil
	}
	copy(h[:], hash)
	t, ok := c.txs[h]
	return t, ok, nil
}

// flush commits the mempool if it holds anything.
func (c *Chain) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.mempool) == 0 {
		return nil
	}
	txs := c.mempool
	c.mempool = nil
	_, err := c.block(txs)
	return err
}

// checkTx runs CheckTx and, on success, queues the transaction.
func (c *Chain) checkTx(raw []byte) app.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.app.CheckTx(raw)
	if r.Code == ledger.CodeOK {
		c.mempool = append(c.mempool, raw)
	}
	return r
}

// Pending is the number of transactions waiting for a block.
func (c *Chain) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mempool)
}

// Exec signs msgs with the key of label at its committed sequence (fee
// 1000 upin), commits them as the next block and returns the result.
func (c *Chain) Exec(label string, msgs ...*txv1.Msg) (app.Result, error) {
	priv := Key(label)
	seq := app.Sequence(c.app.Committed(), ledger.AddressOf(sig.PublicOf(priv)))
	raw, err := app.BuildTx(priv, &txv1.TxBody{ChainId: c.chainID, Sequence: seq, Fee: 1000, Msgs: msgs})
	if err != nil {
		return app.Result{}, fmt.Errorf("clienttest: build tx: %w", err)
	}
	res, err := c.Block(raw)
	if err != nil {
		return app.Result{}, err
	}
	return res.Txs[len(res.Txs)-1], nil
}

// Msg wraps a message type and value, as the builders return them.
func Msg(typ string, value []byte) *txv1.Msg { return &txv1.Msg{Type: typ, Value: value} }
