package indexer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
	"github.com/depin-network/depin/internal/ledger"
)

// buildChain makes a chain of about n blocks with transfers, devices
// onboarded and located, and a failed transaction.
func buildChain(t testing.TB, n int) *indexertest.Chain {
	t.Helper()
	c, err := indexertest.New(5, 10)
	if err != nil {
		t.Fatal(err)
	}
	dev := 0
	for c.Height() < int64(n) {
		h := int(c.Height()) + 1
		var txs [][]byte
		switch h % 4 {
		case 0:
			txs = append(txs, c.Transfer(1, 2, uint64(h)), c.Transfer(3, 4, 7))
		case 1:
			txs = append(txs, c.Onboard(h%5, dev))
			if _, err := c.Commit(false, txs...); err != nil {
				t.Fatal(err)
			}
			txs = [][]byte{c.Locate(h%5, dev, indexertest.CityCell(dev))}
			dev++
		case 2:
			txs = append(txs, c.Transfer(0, 1, 5))
		}
		if _, err := c.Commit(false, txs...); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func count(t *testing.T, db *indexer.DB, table string) int {
	t.Helper()
	n, err := indexer.CountRows(context.Background(), db, table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIndexChain(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := buildChain(t, 40)
			db := openDB(t, be.url(t))
			ix := indexer.New(indexer.Config{Batch: 7, Workers: 3}, db, c.Source, nil, quiet())
			cur, err := ix.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if cur != c.Height() {
				t.Fatalf("cursor %d, want head %d", cur, c.Height())
			}
			if got, want := count(t, db, "blocks"), int(c.Height()); got != want {
				t.Fatalf("blocks: got %d, want %d", got, want)
			}
			var txs int
			for h := int64(1); h <= c.Height(); h++ {
				b, _ := c.Source.Block(ctx, h)
				txs += len(b.Txs)
				list, err := db.BlockTxs(ctx, h)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != len(b.Txs) {
					t.Fatalf("block %d: got %d txs, want %d", h, len(list), len(b.Txs))
				}
				for i, tx := range list {
					if tx.Code != b.Txs[i].Code {
						t.Fatalf("block %d tx %d: code %d, want %d", h, i, tx.Code, b.Txs[i].Code)
					}
					got, err := db.Tx(ctx, tx.Hash)
					if err != nil || got.Height != h || got.Index != i {
						t.Fatalf("tx %s: got %+v, %v", tx.Hash, got, err)
					}
				}
			}
			if got := count(t, db, "txs"); got != txs {
				t.Fatalf("txs: got %d, want %d", got, txs)
			}
			// Account 2 received a transfer every fourth block.
			acct, err := db.AccountTxs(ctx, c.Account(2).String(), 0, 200)
			if err != nil {
				t.Fatal(err)
			}
			if len(acct) < 8 {
				t.Fatalf("account 2 has %d txs, want at least 8", len(acct))
			}
			d, err := db.Device(ctx, indexertest.Device(0).String())
			if err != nil {
				t.Fatal(err)
			}
			if !d.Located || d.Status != "active" || d.Kind != "coverage" || d.Owner != c.Account(1).String() {
				t.Fatalf("device 0: %+v", d)
			}
			locs, err := db.Locations(ctx, d.Address, 10)
			if err != nil || len(locs) != 1 || locs[0].LatE7 != d.LatE7 {
				t.Fatalf("locations of device 0: %+v, %v", locs, err)
			}
			st, err := db.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Height != c.Height() || st.ChainID != indexertest.ChainID || uint64(st.Burned) != c.Burned || st.Burned == 0 {
				t.Fatalf("stats %+v, burned want %d", st, c.Burned)
			}
			if st.Supply != st.GenesisSupply-st.Burned {
				t.Fatalf("supply %d, want genesis %d - burned %d", st.Supply, st.GenesisSupply, st.Burned)
			}
			eps, err := db.Epochs(ctx, 0, 10)
			if err != nil || len(eps) < 3 {
				t.Fatalf("epochs: %+v, %v", eps, err)
			}
		})
	}
}

func TestFailedTxIsIndexed(t *testing.T) {
	ctx := context.Background()
	c, err := indexertest.New(2, 10)
	if err != nil {
		t.Fatal(err)
	}
	c.Transfer(0, 1, 1) // consumes sequence 0 without sending it
	bad := c.Transfer(0, 1, 1)
	if _, err := c.Commit(true, bad); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, sqliteBackend().url(t))
	if _, err := indexer.New(indexer.Config{}, db, c.Source, nil, quiet()).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	txs, err := db.BlockTxs(ctx, 1)
	if err != nil || len(txs) != 1 || txs[0].Code != uint32(ledger.CodeSequenceSkipped) || txs[0].Signer != c.Account(0).String() {
		t.Fatalf("failed tx: %+v, %v", txs, err)
	}
}

func TestWriteTwiceIsIdempotent(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := buildChain(t, 12)
			db := openDB(t, be.url(t))
			var blocks []*indexer.Block
			for h := int64(1); h <= c.Height(); h++ {
				b, _ := c.Source.Block(ctx, h)
				blocks = append(blocks, b)
			}
			if _, err := db.WriteBlocks(ctx, blocks[:8]); err != nil {
				t.Fatal(err)
			}
			before := []int{count(t, db, "blocks"), count(t, db, "txs"), count(t, db, "events"), count(t, db, "device_locations")}
			// The same heights again, alone and overlapping the next ones.
			if cur, err := db.WriteBlocks(ctx, blocks[:8]); err != nil || cur != 8 {
				t.Fatalf("rewrite: cursor %d, %v", cur, err)
			}
			after := []int{count(t, db, "blocks"), count(t, db, "txs"), count(t, db, "events"), count(t, db, "device_locations")}
			if before[0] != after[0] || before[1] != after[1] || before[2] != after[2] || before[3] != after[3] {
				t.Fatalf("rows before %v, after rewriting %v", before, after)
			}
			if cur, err := db.WriteBlocks(ctx, blocks[5:]); err != nil || cur != c.Height() {
				t.Fatalf("overlap: cursor %d, %v", cur, err)
			}
			if got := count(t, db, "blocks"); got != int(c.Height()) {
				t.Fatalf("blocks %d, want %d", got, c.Height())
			}
		})
	}
}

func TestGapIsRefused(t *testing.T) {
	ctx := context.Background()
	c := buildChain(t, 6)
	db := openDB(t, sqliteBackend().url(t))
	b3, _ := c.Source.Block(ctx, 3)
	if _, err := db.WriteBlocks(ctx, []*indexer.Block{b3}); err == nil {
		t.Fatal("writing height 3 on an empty index succeeded")
	}
	if got := count(t, db, "blocks"); got != 0 {
		t.Fatalf("a refused write left %d blocks", got)
	}
}

func TestResumeAfterRestart(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			full := buildChain(t, 30)
			// A source that has only the first 13 blocks, as a node would.
			part := &indexer.MemSource{}
			g, _ := full.Source.Genesis(ctx)
			part.SetGenesis(g)
			for h := int64(1); h <= 13; h++ {
				b, _ := full.Source.Block(ctx, h)
				part.Append(b)
			}
			url := be.url(t)
			db := openDB(t, url)
			if cur, err := indexer.New(indexer.Config{Batch: 4}, db, part, nil, quiet()).Sync(ctx); err != nil || cur != 13 {
				t.Fatalf("first run: cursor %d, %v", cur, err)
			}
			db.Close()
			db = openDB(t, url)
			if cur, err := indexer.New(indexer.Config{Batch: 4}, db, full.Source, nil, quiet()).Sync(ctx); err != nil || cur != full.Height() {
				t.Fatalf("second run: cursor %d, %v", cur, err)
			}
			checkContiguous(t, db, full.Height())
		})
	}
}

// checkContiguous checks that heights 1..head are each indexed once, that
// every transaction of each block is there once, and that the totals kept
// for the map and the charts add up to the rows.
func checkContiguous(t *testing.T, db *indexer.DB, head int64) {
	t.Helper()
	ctx := context.Background()
	gaps, dups, err := indexer.CheckHeights(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if gaps != 0 || dups != 0 {
		t.Fatalf("%d gaps and %d duplicate heights", gaps, dups)
	}
	checkTotals(t, db, fmt.Sprintf("at height %d", head))
	if got := count(t, db, "blocks"); got != int(head) {
		t.Fatalf("blocks %d, want %d", got, head)
	}
	var txs int
	for h := int64(1); h <= head; h++ {
		b, err := db.Block(ctx, h)
		if err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		txs += b.NumTxs
	}
	if got := count(t, db, "txs"); got != txs {
		t.Fatalf("txs %d, blocks say %d", got, txs)
	}
}

func TestSourceNotReadyIsRetried(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, sqliteBackend().url(t))
	src := &indexer.MemSource{}
	cur, err := indexer.New(indexer.Config{}, db, src, nil, quiet()).Sync(ctx)
	if err != nil || cur != 0 {
		t.Fatalf("empty source: cursor %d, %v", cur, err)
	}
	if _, err := src.Block(ctx, 1); !errors.Is(err, indexer.ErrNotFound) {
		t.Fatalf("missing block: %v", err)
	}
}
