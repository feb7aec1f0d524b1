package indexer

import (
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// openPostgres opens a PostgreSQL database by URL.
func openPostgres(url string) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("indexer: open postgres: %w", err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("indexer: open postgres: %w", err)
	}
	db.SetMaxOpenConns(8)
	return &DB{sql: db, dialect: postgresDialect}, nil
}
