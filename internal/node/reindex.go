package node

import (
	"fmt"
	"log/slog"

	dbm "github.com/cometbft/cometbft-db"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	sm "github.com/cometbft/cometbft/state"
	blockidx "github.com/cometbft/cometbft/state/indexer/block"
	"github.com/cometbft/cometbft/state/txindex"
	cmtstore "github.com/cometbft/cometbft/store"
	cmttypes "github.com/cometbft/cometbft/types"
)

// reindexGap indexes the committed blocks that CometBFT's kv indexer has
// not: the indexer follows committed blocks through the event bus, in its
// own goroutine, so a node killed (kill -9, power loss) just after a commit
// restarts with the last blocks committed but not indexed, and CometBFT
// does not replay them (they are not missing from the app). Transactions of
// those blocks would answer "not found" on /tx and /tx_search for ever.
// reindexGap walks down from the block store's top to the last indexed
// height and indexes the blocks above it from the stored FinalizeBlock
// responses, as cometbft reindex-event does. It runs before the node opens
// its databases and returns how many blocks it indexed.
func reindexGap(cc *cmtcfg.Config, logger *slog.Logger) (int, error) {
	if cc.TxIndex.Indexer != "kv" || cc.Storage.DiscardABCIResponses {
		return 0, nil
	}
	blockDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cc})
	if err != nil {
		return 0, fmt.Errorf("node: reindex: open block store: %w", err)
	}
	defer blockDB.Close()
	bs := cmtstore.NewBlockStore(blockDB)
	top, base := bs.Height(), bs.Base()
	if top == 0 {
		return 0, nil
	}
	stateDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cc})
	if err != nil {
		return 0, fmt.Errorf("node: reindex: open state store: %w", err)
	}
	defer stateDB.Close()
	ss := sm.NewStore(stateDB, sm.StoreOptions{})
	st, err := ss.Load()
	if err != nil {
		return 0, fmt.Errorf("node: reindex: load state: %w", err)
	}
	var closeIndex []func() error
	txIdx, blkIdx, err := blockidx.IndexerFromConfig(cc, func(ctx *cmtcfg.DBContext) (dbm.DB, error) {
		db, err := cmtcfg.DefaultDBProvider(ctx)
		if err == nil {
			closeIndex = append(closeIndex, db.Close)
		}
		return db, err
	}, st.ChainID)
	defer func() {
		for _, c := range closeIndex {
			c()
		}
	}()
	if err != nil {
		return 0, fmt.Errorf("node: reindex: open the indexer: %w", err)
	}
	from := top
	for ; from >= base && from > 0; from-- {
		has, err := blkIdx.Has(from)
		if err != nil {
			return 0, fmt.Errorf("node: reindex: block index at %d: %w", from, err)
		}
		// The indexer writes a block's events before its transactions: a
		// block indexed without its last transaction is not indexed.
		if b := bs.LoadBlock(from); has && b != nil && len(b.Txs) > 0 {
			r, err := txIdx.Get(b.Txs[len(b.Txs)-1].Hash())
			if err != nil {
				return 0, fmt.Errorf("node: reindex: tx index at %d: %w", from, err)
			}
			has = r != nil
		}
		if has {
			break
		}
	}
	n := 0
	for h := from + 1; h <= top; h++ {
		block := bs.LoadBlock(h)
		resp, err := ss.LoadFinalizeBlockResponse(h)
		if block == nil || err != nil {
			// The top block's response is saved after the block: a node
			// killed in between replays it on start, and indexes it then.
			logger.Warn("node: reindex: block or its results missing; CometBFT replays it", "height", h, "err", err)
			break
		}
		if len(resp.TxResults) > 0 {
			batch := txindex.NewBatch(int64(len(resp.TxResults)))
			for i, r := range resp.TxResults {
				if err := batch.Add(&abcitypes.TxResult{Height: h, Index: uint32(i), Tx: block.Txs[i], Result: *r}); err != nil {
					return n, fmt.Errorf("node: reindex: tx %d at %d: %w", i, h, err)
				}
			}
			if err := txIdx.AddBatch(batch); err != nil {
				return n, fmt.Errorf("node: reindex: txs at %d: %w", h, err)
			}
		}
		if err := blkIdx.Index(cmttypes.EventDataNewBlockEvents{Height: h, Events: resp.Events, NumTxs: int64(len(resp.TxResults))}); err != nil {
			return n, fmt.Errorf("node: reindex: block at %d: %w", h, err)
		}
		n++
	}
	if n > 0 {
		logger.Info("node: indexed committed blocks the indexer had missed", "from", from+1, "to", from+int64(n))
	}
	return n, nil
}
