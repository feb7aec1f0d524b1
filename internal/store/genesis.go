package store

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/depin-network/depin/internal/ledger"
)

// keyGenesis marks a genesis written but not yet followed by a committed
// block. Its value is genesisStarted while the pieces are being written and
// genesisWritten once all of them are durable. Commit of the first block
// deletes it in the same synced batch that writes the height.
var keyGenesis = []byte{ledger.PrefixMeta, 'g'}

const (
	genesisStarted byte = 1
	genesisWritten byte = 2
)

// genesisBatchBytes is the size at which a genesis piece is committed. It
// stays well under Pebble's large-batch threshold (half of memTableSize):
// a larger batch becomes a "flushable batch" that Pebble keeps in memory
// until the next flush, which is what held the 1M-device genesis of
// `depin bench memory` resident after its commit (BENCHMARKS.md, memory).
// A variable only so that tests can cut genesis into many small pieces.
var genesisBatchBytes = 4 << 20

// freeAfterGenesisBytes: after a genesis at least this large the store
// forces a GC and returns the freed pages to the OS (debug.FreeOSMemory),
// since the runtime's heap goal grew during the import and no GC would
// otherwise run for a long time.
const freeAfterGenesisBytes = 64 << 20

// WriteGenesis writes a genesis state of any size with bounded memory, in
// Pebble batches of a few MB, before the first block is committed.
//
// It first deletes whatever an earlier, interrupted genesis left (the
// height is still 0, so nothing was committed) and durably marks a genesis
// as started. build then writes genesis into the store it is given, which
// reads its own writes; pieces are committed without fsync as they fill.
// When build succeeds, visit is called with every write of genesis in key
// order (the write set an empty ledger.Overlay would have held; a write's
// key and value are valid only during the call), then the pieces are
// synced and the mark becomes "written". The height and app hash are
// written later, by Commit of the first block, so a crash at any point
// before that restarts at height 0, where InitChain runs WriteGenesis
// again (PendingGenesis reports the leftover). When build fails,
// everything it wrote is deleted and its error is returned unchanged.
//
// WriteGenesis must be called from the goroutine that commits blocks, with
// no other reader of the store's state expecting the empty state.
func (d *DB) WriteGenesis(build func(st ledger.Store) error, visit func(w ledger.Write)) error {
	if h, _ := d.LastCommit(); h != 0 {
		return fmt.Errorf("store: write genesis: height %d already committed", h)
	}
	if err := d.wipe(true); err != nil {
		return err
	}
	gs := &genesisStore{db: d.db, b: d.db.NewIndexedBatch(), deleted: make(map[string]bool),
		cache: newReadCache(readCacheEntries, readCacheBytes)}
	err := build(gs)
	if err == nil {
		err = gs.flush()
	}
	gs.b.Close()
	if err != nil {
		if werr := d.wipe(false); werr != nil {
			return errors.Join(err, werr)
		}
		return err
	}
	gs.visit(visit)
	b := d.db.NewBatch()
	defer b.Close()
	if err := b.Set(keyGenesis, []byte{genesisWritten}, nil); err != nil {
		return fmt.Errorf("store: write genesis: %w", err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: write genesis: %w", err)
	}
	d.cache.reset()
	if gs.written >= freeAfterGenesisBytes {
		debug.FreeOSMemory()
	}
	return nil
}

// PendingGenesis reports whether a genesis was started (or fully written)
// but no block has been committed on it yet. Such a state is incomplete
// and is replaced by the next WriteGenesis.
func (d *DB) PendingGenesis() bool { return d.pending.Load() }

// wipe deletes every key of the database in one synced batch and, if
// start, marks a genesis as started. It is only used at height 0.
func (d *DB) wipe(start bool) error {
	first, last, ok, err := d.bounds()
	if err != nil {
		return fmt.Errorf("store: write genesis: %w", err)
	}
	b := d.db.NewBatch()
	defer b.Close()
	if ok {
		if err := b.DeleteRange(first, append(last, 0), nil); err != nil {
			return fmt.Errorf("store: write genesis: clear: %w", err)
		}
	}
	if start {
		if err := b.Set(keyGenesis, []byte{genesisStarted}, nil); err != nil {
			return fmt.Errorf("store: write genesis: %w", err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: write genesis: clear: %w", err)
	}
	d.pending.Store(start)
	d.cache.reset()
	return nil
}

// bounds returns the first and last keys of the database, if any.
func (d *DB) bounds() (first, last []byte, ok bool, err error) {
	it, err := d.db.NewIter(nil)
	if err != nil {
		return nil, nil, false, err
	}
	if it.First() {
		first = bytes.Clone(it.Key())
		if it.Last() {
			last = bytes.Clone(it.Key())
			ok = true
		}
	}
	if err := it.Error(); err != nil {
		it.Close()
		return nil, nil, false, err
	}
	return first, last, ok, it.Close()
}

// genesisStore is the ledger.Store genesis is built in: an indexed Pebble
// batch (reads see its writes and the pieces already committed), committed
// and replaced whenever it reaches genesisBatchBytes. Its own read cache
// keeps the values every device's checks read (params, the maker) out of
// Pebble; it is the cache's only user, and each write refreshes the key if
// cached.
type genesisStore struct {
	db      *pebble.DB
	b       *pebble.Batch
	cache   *readCache
	written int
	// deleted holds the keys whose last write was a Delete: they are part
	// of the write set (and the app hash) but absent from Pebble.
	deleted map[string]bool
}

func (g *genesisStore) Get(key []byte) []byte {
	if v, hit, _ := g.cache.get(key); hit {
		return v
	}
	v, closer, err := g.b.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		g.cache.store(key, nil, true)
		return nil
	}
	if err != nil {
		panic(fmt.Sprintf("store: genesis: get: %v", err))
	}
	out := bytes.Clone(v)
	_ = closer.Close()
	g.cache.store(key, out, false)
	return out
}

func (g *genesisStore) Set(key, value []byte) {
	if err := g.b.Set(key, value, nil); err != nil {
		panic(fmt.Sprintf("store: genesis: set: %v", err))
	}
	g.cache.refresh(key, value, false)
	delete(g.deleted, string(key))
	g.wrote(len(key) + len(value))
}

func (g *genesisStore) Delete(key []byte) {
	if err := g.b.Delete(key, nil); err != nil {
		panic(fmt.Sprintf("store: genesis: delete: %v", err))
	}
	g.cache.refresh(key, nil, true)
	g.deleted[string(key)] = true
	g.wrote(len(key))
}

func (g *genesisStore) wrote(n int) {
	g.written += n
	if g.b.Len() < genesisBatchBytes {
		return
	}
	if err := g.flush(); err != nil {
		panic(err.Error())
	}
}

// flush commits the current piece (not synced: the final mark is) and
// starts a new one.
func (g *genesisStore) flush() error {
	if g.b.Empty() {
		return nil
	}
	if err := g.b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("store: write genesis: %w", err)
	}
	g.b.Close()
	g.b = g.db.NewIndexedBatch()
	return nil
}

func (g *genesisStore) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	iterate(g.b, start, end, fn)
}

// visit calls fn with every write of genesis in key order: the committed
// keys merged with the deleted ones, the genesis mark left out.
func (g *genesisStore) visit(fn func(ledger.Write)) {
	dels := make([]string, 0, len(g.deleted))
	for k := range g.deleted {
		dels = append(dels, k)
	}
	slices.Sort(dels)
	i := 0
	iterate(g.db, nil, nil, func(k, v []byte) bool {
		for i < len(dels) && dels[i] < string(k) {
			fn(ledger.Write{Key: []byte(dels[i]), Delete: true})
			i++
		}
		if !bytes.Equal(k, keyGenesis) {
			fn(ledger.Write{Key: k, Value: v})
		}
		return true
	})
	for ; i < len(dels); i++ {
		fn(ledger.Write{Key: []byte(dels[i]), Delete: true})
	}
}
