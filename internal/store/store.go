package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/depin-network/depin/internal/ledger"
)

var (
	keyHeight  = []byte{ledger.PrefixMeta, 'h'}
	keyAppHash = []byte{ledger.PrefixMeta, 'a'}
)

// DB is the committed state of a node.
type DB struct {
	db    *pebble.DB
	cache *readCache
	// pending is set while a genesis is written but no block is committed
	// on it (see WriteGenesis).
	pending atomic.Bool
}

// Open opens (or creates) the state database in dir.
func Open(dir string) (*DB, error) {
	db, err := pebble.Open(dir, options())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	d := &DB{db: db, cache: newReadCache(readCacheEntries, readCacheBytes)}
	d.pending.Store(d.Get(keyGenesis) != nil)
	return d, nil
}

// Read-path tuning (measured with `depin bench ledger`, BENCHMARKS.md):
// every transaction reads params, balances and sequences, many of them keys
// that do not exist yet (a parameter left at its default, a new account).
// Without filters each such point read walks the index blocks of every
// table, and Pebble's default 8 MB block cache keeps evicting them; bloom
// filters on every level (10 bits per key, about 1% false positives, the
// value Pebble's docs suggest) and a 128 MB cache keep those reads in
// memory. Neither changes what is stored or read.
//
// Memory: the block cache is the bound on what Pebble keeps of the state
// (128 MiB whatever the state's size; 1M devices are about 660 MiB on
// disk), plus at most memTableStopWrites memtables of memTableSize. A 32 MiB
// memtable lets a large genesis go in as 4 MiB batches (genesis.go), below
// the large-batch threshold of half a memtable, with a flush every few
// batches instead of every one.
const (
	blockCacheSize     = 128 << 20
	memTableSize       = 32 << 20
	memTableStopWrites = 2
)

func options() *pebble.Options {
	o := &pebble.Options{Logger: quietLogger{}, CacheSize: blockCacheSize,
		MemTableSize: memTableSize, MemTableStopWritesThreshold: memTableStopWrites}
	o.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	return o
}

// quietLogger drops Pebble's informational messages (WAL recovery and the
// like) and keeps its errors on stderr.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pebble: "+format+"\n", args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pebble: "+format+"\n", args...)
	os.Exit(1)
}

// Close closes the database.
func (d *DB) Close() error {
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Get returns the committed value of key, or nil. It panics on a storage
// failure: the node must halt rather than diverge.
func (d *DB) Get(key []byte) []byte {
	cv, hit, gen := d.cache.get(key)
	if hit {
		return cv
	}
	v, closer, err := d.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		d.cache.put(key, nil, gen)
		return nil
	}
	if err != nil {
		panic(fmt.Sprintf("store: get: %v", err))
	}
	out := bytes.Clone(v)
	_ = closer.Close()
	d.cache.put(key, out, gen)
	return out
}

// Iterate calls fn for committed keys in [start, end) in order.
func (d *DB) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	iterate(d.db, start, end, fn)
}

// iterate runs fn over [start, end) of a Pebble reader (the database or an
// indexed batch), panicking on a storage failure.
func iterate(r pebble.Reader, start, end []byte, fn func(key, value []byte) bool) {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		panic(fmt.Sprintf("store: iterate: %v", err))
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			panic(fmt.Sprintf("store: iterate: %v", err))
		}
		if !fn(it.Key(), v) {
			break
		}
	}
	if err := it.Error(); err != nil {
		panic(fmt.Sprintf("store: iterate: %v", err))
	}
}

// Set is not allowed on committed state: writes go through Commit.
func (d *DB) Set(key, value []byte) { panic("store: Set on committed state; use Commit") }

// Delete is not allowed on committed state: writes go through Commit.
func (d *DB) Delete(key []byte) { panic("store: Delete on committed state; use Commit") }

// LastCommit returns the height and app hash of the last committed block
// (0 and nil for a new database).
func (d *DB) LastCommit() (int64, []byte) {
	return int64(ledger.ReadU64(d.Get(keyHeight))), d.Get(keyAppHash)
}

// Commit writes a block in one synced batch: its state writes, its height
// and app hash.
func (d *DB) Commit(height int64, appHash []byte, state []ledger.Write) error {
	b := d.db.NewBatch()
	defer b.Close()
	for _, w := range state {
		var err error
		if w.Delete {
			err = b.Delete(w.Key, nil)
		} else {
			err = b.Set(w.Key, w.Value, nil)
		}
		if err != nil {
			return fmt.Errorf("store: commit height %d: %w", height, err)
		}
	}
	if err := b.Set(keyHeight, ledger.U64(uint64(height)), nil); err != nil {
		return fmt.Errorf("store: commit height %d: %w", height, err)
	}
	if err := b.Set(keyAppHash, appHash, nil); err != nil {
		return fmt.Errorf("store: commit height %d: %w", height, err)
	}
	pending := d.pending.Load()
	if pending {
		if err := b.Delete(keyGenesis, nil); err != nil {
			return fmt.Errorf("store: commit height %d: %w", height, err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: commit height %d: %w", height, err)
	}
	d.pending.Store(false)
	d.cache.update(func(fn func(key, val []byte, deleted bool)) {
		for _, w := range state {
			fn(w.Key, w.Value, w.Delete)
		}
		fn(keyHeight, ledger.U64(uint64(height)), false)
		fn(keyAppHash, appHash, false)
		if pending {
			fn(keyGenesis, nil, true)
		}
	})
	return nil
}

// Memory is what Pebble holds in memory outside the Go heap (it allocates
// with C malloc). Sizes are bytes.
type Memory struct {
	// BlockCache is the block cache in use (at most 128 MiB).
	BlockCache uint64
	// MemTables are the memtables allocated, being filled or flushed.
	MemTables uint64
}

// Memory returns Pebble's current memory use, for metrics and benchmarks.
func (d *DB) Memory() Memory {
	m := d.db.Metrics()
	return Memory{BlockCache: uint64(m.BlockCache.Size), MemTables: m.MemTable.Size}
}
