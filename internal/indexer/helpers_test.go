package indexer_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/depin-network/depin/internal/indexer"
)

// PostgresEnv names the variable scripts/test.sh sets to a loopback
// PostgreSQL server's URL; without it the PostgreSQL variants skip loudly.
const PostgresEnv = "DEPIN_TEST_POSTGRES_URL"

var schemaSeq atomic.Int64

// backend opens fresh databases of one kind.
type backend struct {
	name string
	// url returns the URL of a new empty database.
	url func(t *testing.T) string
}

func sqliteBackend() backend {
	return backend{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "index.db") }}
}

// postgresBackend gives each test its own schema on the server named by
// PostgresEnv, dropped at the end.
func postgresBackend() backend {
	return backend{"postgres", func(t *testing.T) string {
		base := os.Getenv(PostgresEnv)
		if base == "" {
			t.Skipf("SKIPPING PostgreSQL test: %s is not set (./scripts/test.sh starts a loopback server and sets it)", PostgresEnv)
		}
		schema := fmt.Sprintf("t%d_%d", os.Getpid(), schemaSeq.Add(1))
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() {
			a, err := sql.Open("pgx", base)
			if err == nil {
				a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				a.Close()
			}
		})
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + "search_path=" + schema
	}}
}

func backends() []backend { return []backend{sqliteBackend(), postgresBackend()} }

func openDB(t *testing.T, url string) *indexer.DB {
	t.Helper()
	db, err := indexer.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
