package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/cometbft/cometbft/state/txindex/kv"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
)

// ErrIndexDisabled is returned by Tx when config.toml turns CometBFT's tx
// indexer off (tx_index.indexer = "null").
var ErrIndexDisabled = errors.New("node: transaction indexing is disabled (tx_index.indexer in config.toml)")

// Tx finds a committed transaction in CometBFT's kv tx index, the index
// behind the RPC's /tx and /tx_search: the ledger writes none of its own.
// found is false when the hash is not indexed (not committed yet, or
// unknown): CometBFT indexes a block just after committing it.
func (n *Node) Tx(_ context.Context, hash []byte) (query.Tx, bool, error) {
	if n.Comet.TxIndex.Indexer != "kv" {
		return query.Tx{}, false, ErrIndexDisabled
	}
	db := n.cmtDBs.txIndex()
	if db == nil {
		return query.Tx{}, false, fmt.Errorf("node: tx index not open yet")
	}
	r, err := kv.NewTxIndex(db).Get(hash)
	if err != nil {
		return query.Tx{}, false, fmt.Errorf("node: tx index: %w", err)
	}
	if r == nil {
		return query.Tx{}, false, nil
	}
	res := r.Result
	code := ledger.Code(res.Code)
	t := query.Tx{Hash: strings.ToUpper(hex.EncodeToString(hash)), Height: r.Height, Index: int(r.Index),
		Code: res.Code, Status: code.String(), Log: res.Log}
	for _, e := range res.Events {
		ev := query.Event{Type: e.Type, Attrs: make([]query.Attr, len(e.Attributes))}
		for i, a := range e.Attributes {
			ev.Attrs[i] = query.Attr{Key: a.Key, Value: a.Value}
		}
		t.Events = append(t.Events, ev)
	}
	return t, true, nil
}

// APISource is what the JSON API reads (an api.StateSource and
// api.TxSource): the app's committed state and CometBFT's tx index.
type APISource struct {
	*app.App
	node *Node
}

// Tx implements api.TxSource.
func (s APISource) Tx(ctx context.Context, hash []byte) (query.Tx, bool, error) {
	return s.node.Tx(ctx, hash)
}

// APISource returns the JSON API's source.
func (n *Node) APISource() APISource { return APISource{App: n.App, node: n} }
