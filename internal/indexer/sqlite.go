package indexer

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver: pure Go, no cgo
)

// openSQLite opens (creating if needed) an SQLite database file in WAL
// mode, so the explorer reads while the indexer writes. synchronous=FULL
// makes every committed height survive a kill -9 and a power cut. Each
// connection caches up to 32 MiB of pages and reads the file through a
// 256 MiB memory map (SQLite's defaults, 2 MiB and none, made a page over
// 100k devices spend most of its time in read system calls), and up to
// four idle connections are kept with their caches.
func openSQLite(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("indexer: open %s: %w", path, err)
		}
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(ON)", "cache_size(-32768)", "mmap_size(268435456)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	return &DB{sql: db, dialect: sqliteDialect}, nil
}
