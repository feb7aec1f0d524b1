package node

import (
	"errors"
	"sync"
	"sync/atomic"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
)

// CometDBs opens CometBFT's databases with its default provider and keeps
// the indexer's (tx_index), which CometBFT v0.38 never closes: Node.OnStop
// closes the block, state and evidence stores only, so a node restarted in
// the same process would find the index's goleveldb lock still held.
//
// The block and state stores are wrapped so that a read after Close finds
// nothing instead of failing (stopDB): Node.OnStop closes them while
// goroutines of the stopped consensus reactor may still read them, and
// their reads panic on any error (see stopDB).
type CometDBs struct {
	mu    sync.Mutex
	index []dbm.DB
}

// Provider is a cmtcfg.DBProvider.
func (c *CometDBs) Provider(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	db, err := cmtcfg.DefaultDBProvider(ctx)
	if err != nil {
		return nil, err
	}
	switch ctx.ID {
	case "tx_index":
		c.mu.Lock()
		c.index = append(c.index, db)
		c.mu.Unlock()
	case "blockstore", "state":
		return &stopDB{DB: db}, nil
	}
	return db, nil
}

// stopDB is a database whose point reads after Close find nothing instead
// of returning an error. CometBFT v0.38's consensus reactor runs one
// queryMaj23Routine per peer, which checks that the reactor runs, may
// sleep for peer_query_maj23_sleep_duration (2 s) and then loads a commit
// from the block store; Node.OnStop stops the reactor and closes the block
// store meanwhile, and BlockStore.LoadSeenCommit panics on the read's error
// ("leveldb: closed"), taking the process down as the node stops (the same
// trace as vegaprotocol/vega#6680). After Close every read happens during
// shutdown, where "not found" makes such a routine skip its send. Reads
// before Close, writes and iterators are the database's own.
type stopDB struct {
	dbm.DB
	closed atomic.Bool
}

func (d *stopDB) Get(key []byte) ([]byte, error) {
	v, err := d.DB.Get(key)
	if err != nil && d.closed.Load() {
		return nil, nil
	}
	return v, err
}

func (d *stopDB) Has(key []byte) (bool, error) {
	ok, err := d.DB.Has(key)
	if err != nil && d.closed.Load() {
		return false, nil
	}
	return ok, err
}

func (d *stopDB) Close() error {
	d.closed.Store(true)
	return d.DB.Close()
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
