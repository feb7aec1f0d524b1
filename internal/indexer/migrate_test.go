package indexer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
)

func TestMigrateFromEmpty(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := indexer.Open(be.url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, err := db.Version(ctx); err != nil || v != 0 {
				t.Fatalf("empty database: version %d, %v", v, err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if v, err := db.Version(ctx); err != nil || v != indexer.LatestVersion() {
				t.Fatalf("migrated: version %d, %v; want %d", v, err, indexer.LatestVersion())
			}
			// Migrating again is a no-op.
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMigrateFromPreviousVersion(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c, err := indexertest.New(3, 10)
			if err != nil {
				t.Fatal(err)
			}
			for range 5 {
				if _, err := c.Commit(false, c.Transfer(0, 1, 9), c.Transfer(1, 2, 3)); err != nil {
					t.Fatal(err)
				}
			}
			url := be.url(t)
			db, err := indexer.Open(url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Version 1 knows blocks, transactions and events only.
			if err := db.MigrateTo(ctx, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := indexer.New(indexer.Config{}, db, c.Source, nil, quiet()).Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if v, _ := db.Version(ctx); v != 1 {
				t.Fatalf("version %d, want 1", v)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if v, _ := db.Version(ctx); v != indexer.LatestVersion() {
				t.Fatalf("version %d, want %d", v, indexer.LatestVersion())
			}
			// Old rows survive and indexing goes on with devices.
			if got := count(t, db, "txs"); got != 10 {
				t.Fatalf("txs after migration: %d, want 10", got)
			}
			if _, err := c.Commit(false, c.Onboard(0, 1)); err != nil {
				t.Fatal(err)
			}
			if cur, err := indexer.New(indexer.Config{}, db, c.Source, nil, quiet()).Sync(ctx); err != nil || cur != 6 {
				t.Fatalf("sync after migration: cursor %d, %v", cur, err)
			}
			if _, err := db.Device(ctx, indexertest.Device(1).String()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, sqliteBackend().url(t))
	if err := indexer.SetVersion(ctx, db, indexer.LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err == nil {
		t.Fatal("migrating a newer schema succeeded")
	}
}

// TestMigrateFromPreviousVersionFillsTotals indexes a chain with devices
// and payouts at the previous schema version, migrates, and checks that
// the totals the new version keeps are filled from the rows already
// there, kept up as indexing goes on, and the same as those of a database
// indexed at the latest version from empty.
func TestMigrateFromPreviousVersionFillsTotals(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := buildChain(t, 40)
			fresh := openDB(t, be.url(t))
			prev := indexer.LatestVersion() - 1
			held, err := indexer.Open(be.url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer held.Close()
			if err := held.MigrateTo(ctx, prev); err != nil {
				t.Fatal(err)
			}
			sum, exps := explanations(1, 7, 500)
			for _, db := range []*indexer.DB{held, fresh} {
				if _, err := indexer.New(indexer.Config{Batch: 9}, db, c.Source, nil, quiet()).Sync(ctx); err != nil {
					t.Fatal(err)
				}
				if err := db.WriteExplanations(ctx, 1, sum, exps); err != nil {
					t.Fatal(err)
				}
			}
			if v, _ := held.Version(ctx); v != prev {
				t.Fatalf("version %d, want %d", v, prev)
			}
			if err := held.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkTotals(t, held, "after the migration")
			if _, err := c.Commit(false, c.Locate(1, 0, parisCell(t))); err != nil {
				t.Fatal(err)
			}
			for _, db := range []*indexer.DB{held, fresh} {
				if _, err := indexer.New(indexer.Config{}, db, c.Source, nil, quiet()).Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}
			checkTotals(t, held, "after indexing on")
			world := indexer.BBox{South: -850_000_000, West: -1_800_000_000, North: 850_000_000, East: 1_800_000_000}
			for _, res := range []int{indexer.CoarseRes, indexer.MidRes} {
				a, err1 := held.MapHexes(ctx, world, res)
				b, err2 := fresh.MapHexes(ctx, world, res)
				if err1 != nil || err2 != nil || fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
					t.Fatalf("res %d hexes: migrated %v (%v), fresh %v (%v)", res, a, err1, b, err2)
				}
			}
			a, err1 := held.Series(ctx, 1) // 41 blocks: one bucket of 5 ranges of 10
			b, err2 := fresh.Series(ctx, 1)
			if err1 != nil || err2 != nil || fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("series: migrated %v (%v), fresh %v (%v)", a, err1, b, err2)
			}
		})
	}
}
