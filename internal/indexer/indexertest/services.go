package indexertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// Query answers a node query (an internal/query path such as
// "/storage/deals/1") from the chain's committed state, in process, as a
// node's abci_query does; a query the app refuses is a *QueryError with
// its code. Queries run one at a time, as CometBFT's ABCI query
// connection serializes them. A Chain is thus an explorer.StateSource without a node's RPC.
func (c *Chain) Query(_ context.Context, path string, out any) error {
	c.queryMu.Lock()
	body, code, msg := query.Handle(c.App.Committed(), c.App, path)
	c.queryMu.Unlock()
	if code != 0 {
		return &QueryError{Path: path, Code: ledger.QueryCode(code), Msg: msg}
	}
	return json.Unmarshal(body, out)
}

// QueryError is a query the app refused, with its code (as
// client.QueryError is over RPC).
type QueryError struct {
	Path string
	Code ledger.QueryCode
	Msg  string
}

func (e *QueryError) Error() string               { return fmt.Sprintf("query %s: %s", e.Path, e.Msg) }
func (e *QueryError) QueryCode() ledger.QueryCode { return e.Code }

// StorageFile encodes a small file (about 46 KB, its bytes a function of
// seed) 1-of-2 as a client's put does, writing the shards nowhere: the
// manifest is what deals name on chain.
func StorageFile(seed int) (*content.Manifest, error) {
	data := []byte(strings.Repeat("depin indexertest storage "+strconv.Itoa(seed)+" ", 46_000/(28+len(strconv.Itoa(seed)))))
	return content.Encode(bytes.NewReader(data), uint64(len(data)), content.Options{K: 1, N: 2, SegmentSize: 8192, LeafSize: 256},
		[]io.Writer{io.Discard, io.Discard})
}

// StorageDeal has account owner store shard of m with account provider
// through the market, in the transactions a client's put sends: a storage
// order, the provider's bid, the owner's accept and the deal on the
// lease, a block each. Provider must already be a market provider. It
// returns the deal's id (its lease's).
func (c *Chain) StorageDeal(owner, provider int, m *content.Manifest, shard uint32) (uint64, error) {
	order, err := c.commitFor("market.order", "order",
		c.Msg(owner, market.TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 10, Duration: 1_000, Deposit: 1_000_000}))
	if err != nil {
		return 0, err
	}
	if _, err := c.Commit(false, c.Msg(provider, market.TypeBid, &marketv1.MsgBid{Order: order, Price: 10, Collateral: 500_000})); err != nil {
		return 0, err
	}
	prov := c.Account(provider)
	lease, err := c.commitFor("market.lease", "lease", c.Msg(owner, market.TypeAccept, &marketv1.MsgAccept{Order: order, Provider: prov[:]}))
	if err != nil {
		return 0, err
	}
	cid := m.CID()
	_, err = c.Commit(false, c.Msg(owner, storage.TypeCreateDeal, &storagev1.MsgCreateDeal{Lease: lease, Cid: cid[:], Shard: shard,
		Root: m.Roots[shard][:], ShardSize: m.ShardSize(), LeafSize: m.LeafSize}))
	return lease, err
}

// SubmitJob has account owner submit a hash job of tasks tasks (one
// replica, so a verifier must be set) and returns its id.
func (c *Chain) SubmitJob(owner int, tasks uint32) (uint64, error) {
	return c.commitFor("compute.job_submitted", "job", c.Msg(owner, compute.TypeSubmitJob, &computev1.MsgSubmitJob{Type: "hash",
		Input: []byte(strings.Repeat("indexertest hashes this. ", 100)), Tasks: tasks, Rounds: 3, Replicas: 1, Price: 1_000}))
}

// commitFor commits tx in its own block and returns the number in its
// event typ's attribute key.
func (c *Chain) commitFor(typ, key string, tx []byte) (uint64, error) {
	b, err := c.Commit(false, tx)
	if err != nil {
		return 0, err
	}
	for _, e := range b.Txs[0].Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				return strconv.ParseUint(a.Value, 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("indexertest: block %d has no %s event with %s", b.Height, typ, key)
}
