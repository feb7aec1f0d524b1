package indexer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Config configures the indexer service.
type Config struct {
	// Enable runs the indexer (and, with it, the explorer) in the node.
	Enable bool `toml:"enable"`
	// DB is the database: an SQLite file path (relative to the home) or a
	// postgres:// URL.
	DB string `toml:"db"`
	// Poll is how often the indexer asks the node for new blocks once it
	// has caught up.
	Poll time.Duration `toml:"poll"`
	// Workers fetch blocks ahead of the writer during a backfill.
	Workers int `toml:"workers"`
	// Batch is the most heights written in one SQL transaction.
	Batch int `toml:"batch"`
	// OracleURL is the oracle API the explanations come from; empty means
	// this node's oracle when it runs one.
	OracleURL string `toml:"oracle_url"`
}

// DefaultConfig returns the defaults: SQLite in data/index.db.
func DefaultConfig() Config {
	return Config{DB: "data/index.db", Poll: 200 * time.Millisecond, Workers: 4, Batch: 64}
}

// Indexer follows a Source into a DB.
type Indexer struct {
	cfg    Config
	db     *DB
	src    Source
	oracle Oracle
	log    *slog.Logger
}

// New returns an indexer writing src's blocks and oracle's explanations
// (oracle may be nil) into db, which must be migrated.
func New(cfg Config, db *DB, src Source, oracle Oracle, log *slog.Logger) *Indexer {
	def := DefaultConfig()
	if cfg.Poll <= 0 {
		cfg.Poll = def.Poll
	}
	if cfg.Workers <= 0 {
		cfg.Workers = def.Workers
	}
	if cfg.Batch <= 0 {
		cfg.Batch = def.Batch
	}
	return &Indexer{cfg: cfg, db: db, src: src, oracle: oracle, log: log}
}

// Run indexes until ctx ends: catch up to the source's head, fetch
// pending explanations, wait Poll, repeat. Source errors are logged and
// retried; a database error stops it.
func (ix *Indexer) Run(ctx context.Context) error {
	for {
		if _, err := ix.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var se *sourceError
			if !errors.As(err, &se) {
				return err
			}
			ix.log.Warn("indexer: source", "err", err)
		}
		if err := ix.explainPending(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			ix.log.Warn("indexer: explanations", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(ix.cfg.Poll):
		}
	}
}

// sourceError marks an error of the Source (retried), not of the DB.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// window is a run of fetched blocks, or the error fetching them.
type window struct {
	blocks []*Block
	err    error
}

// Sync indexes from the cursor up to the source's head and returns the new
// cursor. Workers fetch the next window while the current one is written.
func (ix *Indexer) Sync(ctx context.Context) (int64, error) {
	cur, err := ix.db.Cursor(ctx)
	if err != nil {
		return 0, err
	}
	head, err := ix.src.Head(ctx)
	if err != nil {
		return cur, &sourceError{err}
	}
	if head <= cur {
		return cur, nil
	}
	if err := ix.recordGenesis(ctx); err != nil {
		return cur, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	windows := make(chan window, 2)
	go func() {
		defer close(windows)
		for from := cur + 1; from <= head; from += int64(ix.cfg.Batch) {
			to := min(from+int64(ix.cfg.Batch)-1, head)
			w := ix.fetch(ctx, from, to)
			select {
			case windows <- w:
			case <-ctx.Done():
				return
			}
			if w.err != nil {
				return
			}
		}
	}()
	for w := range windows {
		if w.err != nil {
			return cur, &sourceError{w.err}
		}
		if cur, err = ix.db.WriteBlocks(ctx, w.blocks); err != nil {
			return cur, err
		}
	}
	return cur, nil
}

// fetch gets heights from..to with cfg.Workers requests in flight.
func (ix *Indexer) fetch(ctx context.Context, from, to int64) window {
	blocks := make([]*Block, to-from+1)
	errs := make([]error, len(blocks))
	next := make(chan int)
	var wg sync.WaitGroup
	for range ix.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				blocks[i], errs[i] = ix.src.Block(ctx, from+int64(i))
			}
		}()
	}
	for i := range blocks {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return window{err: fmt.Errorf("indexer: fetch block %d: %w", from+int64(i), err)}
		}
	}
	return window{blocks: blocks}
}

// recordGenesis stores the chain id, denomination and genesis supply once.
func (ix *Indexer) recordGenesis(ctx context.Context) error {
	gs, ok := ix.src.(GenesisSource)
	if !ok {
		return nil
	}
	if v, err := ix.db.Meta(ctx, "chain_id"); err != nil || v != "" {
		return err
	}
	g, err := gs.Genesis(ctx)
	if err != nil {
		return &sourceError{err}
	}
	for _, kv := range [][2]string{
		{"genesis_supply", strconv.FormatUint(g.Supply, 10)}, {"denom", g.Denom},
		{"decimals", strconv.FormatUint(uint64(g.Decimals), 10)}, {"chain_id", g.ChainID},
	} {
		if err := ix.db.SetMeta(ctx, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}
