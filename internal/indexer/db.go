package indexer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// dialect is what differs between the two databases.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// DB is the indexer's database: SQLite or PostgreSQL behind database/sql.
type DB struct {
	sql     *sql.DB
	dialect dialect
	// heldAt is the schema version MigrateTo left the database at when
	// told to stop below the latest (the migration tests), 0 otherwise.
	// Writes then leave out the tables of later versions, as the code of
	// that version did.
	heldAt int
}

// has reports whether the schema has the tables of version v.
func (d *DB) has(v int) bool { return d.heldAt == 0 || d.heldAt >= v }

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open opens the database at url: a postgres:// or postgresql:// URL for
// PostgreSQL, anything else is an SQLite file path ("sqlite:" prefix
// optional). It does not migrate; call Migrate.
func Open(url string) (*DB, error) {
	if IsPostgresURL(url) {
		return openPostgres(url)
	}
	return openSQLite(strings.TrimPrefix(url, "sqlite:"))
}

// Close closes the database.
func (d *DB) Close() error { return d.sql.Close() }

// Dialect names the database: "sqlite" or "postgres".
func (d *DB) Dialect() string { return d.dialect.String() }

// rebind turns ? placeholders into PostgreSQL's $n.
func (d *DB) rebind(q string) string {
	if d.dialect != postgresDialect || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Version returns the applied schema version (0 for an empty database).
func (d *DB) Version(ctx context.Context) (int, error) {
	var exists int
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`
	if d.dialect == postgresDialect {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'`
	}
	if err := d.sql.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return 0, fmt.Errorf("indexer: schema version: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	err := d.sql.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("indexer: schema version: %w", err)
	}
	return v, nil
}

// Migrate applies every migration above the database's version, each in
// its own transaction.
func (d *DB) Migrate(ctx context.Context) error { return d.MigrateTo(ctx, LatestVersion()) }

// MigrateTo applies the migrations up to and including version.
func (d *DB) MigrateTo(ctx context.Context, version int) error {
	cur, err := d.Version(ctx)
	if err != nil {
		return err
	}
	if cur > LatestVersion() {
		return fmt.Errorf("indexer: database schema is version %d, newer than this build's %d", cur, LatestVersion())
	}
	for _, m := range migrations {
		if m.version <= cur || m.version > version {
			continue
		}
		if err := d.apply(ctx, m, cur == 0 && m.version == migrations[0].version); err != nil {
			return err
		}
	}
	d.heldAt = 0
	if version < LatestVersion() {
		d.heldAt = max(cur, version)
	}
	return nil
}

func (d *DB) apply(ctx context.Context, m migration, first bool) error {
	w, err := d.begin(ctx)
	if err != nil {
		return fmt.Errorf("indexer: migration %d: %w", m.version, err)
	}
	defer w.rollback()
	stmts := m.stmts
	if first {
		stmts = append([]string{`CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version (version) VALUES (0)`}, stmts...)
	}
	for _, s := range stmts {
		if _, err := w.tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("indexer: migration %d (%s): %w", m.version, m.name, err)
		}
	}
	if m.fill != nil {
		if err := m.fill(w); err != nil {
			return fmt.Errorf("indexer: migration %d (%s): backfill: %w", m.version, m.name, err)
		}
	}
	if _, err := w.exec(`UPDATE schema_version SET version = ?`, m.version); err != nil {
		return fmt.Errorf("indexer: migration %d: %w", m.version, err)
	}
	if err := w.commit(); err != nil {
		return fmt.Errorf("indexer: migration %d: %w", m.version, err)
	}
	return nil
}

// Cursor returns the last indexed height (0 before the first block).
func (d *DB) Cursor(ctx context.Context) (int64, error) {
	var h int64
	err := d.sql.QueryRowContext(ctx, `SELECT height FROM cursor WHERE id = 1`).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("indexer: cursor: %w", err)
	}
	return h, nil
}

// SetMeta stores a key in the meta table.
func (d *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := d.sql.ExecContext(ctx, d.rebind(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	if err != nil {
		return fmt.Errorf("indexer: set meta %s: %w", key, err)
	}
	return nil
}

// Meta reads a key of the meta table ("" if absent).
func (d *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := d.sql.QueryRowContext(ctx, d.rebind(`SELECT value FROM meta WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("indexer: meta %s: %w", key, err)
	}
	return v, nil
}
