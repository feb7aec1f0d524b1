package node

import (
	"errors"
	"sync"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
)

// CometDBs opens CometBFT's databases with its default provider and keeps
// the indexer's (tx_index), which CometBFT v0.38 never closes: Node.OnStop
// closes the block, state and evidence stores only, so a node restarted in
// the same process would find the index's goleveldb lock still held.
type CometDBs struct {
	mu    sync.Mutex
	index []dbm.DB
}

// Provider is a cmtcfg.DBProvider.
func (c *CometDBs) Provider(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	db, err := cmtcfg.DefaultDBProvider(ctx)
	if err == nil && ctx.ID == "tx_index" {
		c.mu.Lock()
		c.index = append(c.index, db)
		c.mu.Unlock()
	}
	return db, err
}

// txIndex is the open tx index database (the last opened), or nil.
func (c *CometDBs) txIndex() dbm.DB {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.index) == 0 {
		return nil
	}
	return c.index[len(c.index)-1]
}

// Close closes the databases CometBFT leaves open; call it once the node
// has stopped.
func (c *CometDBs) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, db := range c.index {
		errs = append(errs, db.Close())
	}
	c.index = nil
	return errors.Join(errs...)
}
