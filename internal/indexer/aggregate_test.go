package indexer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
)

func checkTotals(t *testing.T, db *indexer.DB, when string) {
	t.Helper()
	if err := indexer.CheckTotals(context.Background(), db); err != nil {
		t.Fatalf("%s: %v", when, err)
	}
}

// parisCell is a resolution-12 cell in Paris: another coarse hex than
// Berlin's.
func parisCell(t testing.TB) uint64 {
	cell, err := geo.CellFromLatLng(488_566_000, 23_522_000, 12)
	if err != nil {
		t.Fatal(err)
	}
	return cell
}

// explanations pays devices 0..n-1 base+i each in epoch.
func explanations(epoch, n int, base uint64) (sum, exps []byte) {
	var list []map[string]any
	for i := range n {
		list = append(list, map[string]any{"epoch": fmt.Sprint(epoch), "device": indexertest.Device(i).String(),
			"payout": fmt.Sprint(base + uint64(i)), "cumulative": "0", "reports": []map[string]any{{"id": "aa", "role": "beacon", "reason": "valid"}}})
	}
	exps, _ = json.Marshal(list)
	return []byte(fmt.Sprintf(`{"epoch":"%d","by_reason":[]}`, epoch)), exps
}

// TestTotalsFollowWrites checks the map's hex totals and the charts' block
// range totals against a recomputation from the rows they summarise after
// each kind of write: blocks in batches of odd sizes, devices located and
// moved to another hex and back, payouts of two epochs, and every write
// done twice.
func TestTotalsFollowWrites(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := buildChain(t, 60) // 15 devices located around Berlin
			db := openDB(t, be.url(t))
			ix := indexer.New(indexer.Config{Batch: 7, Workers: 3}, db, c.Source, nil, quiet())
			sync := func(when string) {
				t.Helper()
				if _, err := ix.Sync(ctx); err != nil {
					t.Fatal(err)
				}
				checkTotals(t, db, when)
			}
			sync("after the first blocks")
			// Epochs end every 10 blocks; the oracle explains epochs 1 and 2.
			for _, p := range []struct{ epoch, n int }{{1, 10}, {2, 6}} {
				sum, exps := explanations(p.epoch, p.n, uint64(1000*p.epoch))
				for range 2 {
					if err := db.WriteExplanations(ctx, uint64(p.epoch), sum, exps); err != nil {
						t.Fatal(err)
					}
				}
				checkTotals(t, db, fmt.Sprintf("after epoch %d's payouts", p.epoch))
			}
			// Devices 0-3 move to Paris (a paid device takes its payout
			// along), device 4 moves within Berlin, device 0 comes back.
			owner := func(i int) int { return (4*i + 1) % 5 } // as buildChain onboards
			var moves [][]byte
			for i := range 4 {
				moves = append(moves, c.Locate(owner(i), i, parisCell(t)))
			}
			moves = append(moves, c.Locate(owner(4), 4, indexertest.CityCell(100)))
			if _, err := c.Commit(false, moves...); err != nil {
				t.Fatal(err)
			}
			sync("after moves")
			if _, err := c.Commit(false, c.Locate(owner(0), 0, indexertest.CityCell(0))); err != nil {
				t.Fatal(err)
			}
			sync("after a move back")
			world := indexer.BBox{South: -850_000_000, West: -1_800_000_000, North: 850_000_000, East: 1_800_000_000}
			hexes, err := db.MapHexes(ctx, world, indexer.CoarseRes)
			if err != nil {
				t.Fatal(err)
			}
			var devices, paid int64
			for _, h := range hexes {
				devices += h.Devices
				paid += h.Payout
			}
			st, _ := db.Stats(ctx)
			if devices != st.Located || devices != 15 {
				t.Fatalf("the world's hexes hold %d devices, stats say %d located, want 15", devices, st.Located)
			}
			// Epoch 2 paid devices 0-5 2000+i; devices 6-9 keep epoch 1's 1000+i.
			if want := int64(6*2000 + 15 + 4*1000 + 6 + 7 + 8 + 9); paid != want {
				t.Fatalf("the world's hexes were paid %d, want %d", paid, want)
			}
			// Writing the same heights again changes no total.
			var blocks []*indexer.Block
			for h := int64(1); h <= c.Height(); h++ {
				b, _ := c.Source.Block(ctx, h)
				blocks = append(blocks, b)
			}
			if _, err := db.WriteBlocks(ctx, blocks); err != nil {
				t.Fatal(err)
			}
			checkTotals(t, db, "after writing every height again")
		})
	}
}

// TestMapHexesInView checks that a view gets the hexes whose devices are in
// it, and no hex far outside it.
func TestMapHexesInView(t *testing.T) {
	ctx := context.Background()
	c := buildChain(t, 40)
	if _, err := c.Commit(false, c.Locate(1, 0, parisCell(t))); err != nil { // device 0's owner is account 1
		t.Fatal(err)
	}
	db := openDB(t, sqliteBackend().url(t))
	if _, err := indexer.New(indexer.Config{}, db, c.Source, nil, quiet()).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	deg := func(v float64) int64 { return int64(v * 1e7) }
	for _, tc := range []struct {
		name    string
		box     indexer.BBox
		res     int
		devices int64
	}{
		{"world", indexer.BBox{South: deg(-85), West: deg(-180), North: deg(85), East: deg(180)}, indexer.CoarseRes, 10},
		{"Berlin", indexer.BBox{South: deg(52.3), West: deg(13.0), North: deg(52.7), East: deg(13.6)}, indexer.MidRes, 9},
		{"Paris", indexer.BBox{South: deg(48.8), West: deg(2.3), North: deg(48.9), East: deg(2.4)}, indexer.MidRes, 1},
		{"Paris, coarse", indexer.BBox{South: deg(48.8), West: deg(2.3), North: deg(48.9), East: deg(2.4)}, indexer.CoarseRes, 1},
		{"the Atlantic", indexer.BBox{South: deg(30), West: deg(-40), North: deg(40), East: deg(-30)}, indexer.CoarseRes, 0},
		{"across the antimeridian", indexer.BBox{South: deg(-10), West: deg(170), North: deg(10), East: deg(-170)}, indexer.CoarseRes, 0},
		{"wrapping the world", indexer.BBox{South: deg(40), West: deg(0.5), North: deg(60), East: deg(0.4)}, indexer.CoarseRes, 10},
	} {
		hexes, err := db.MapHexes(ctx, tc.box, tc.res)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, h := range hexes {
			n += h.Devices
		}
		if n != tc.devices {
			t.Errorf("%s: hexes hold %d devices, want %d", tc.name, n, tc.devices)
		}
	}
	if _, err := db.MapHexes(ctx, indexer.BBox{}, 5); err == nil {
		t.Fatal("resolution 5 was accepted")
	}
}

// TestSeriesFromRanges checks the chart's buckets, read from block_ranges
// on a long chain, against sums of the blocks themselves.
func TestSeriesFromRanges(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := buildChain(t, 233)
			db := openDB(t, be.url(t))
			if _, err := indexer.New(indexer.Config{Batch: 50}, db, c.Source, nil, quiet()).Sync(ctx); err != nil {
				t.Fatal(err)
			}
			var blocks []indexer.BlockRow
			for h := int64(1); h <= c.Height(); h++ {
				b, err := db.Block(ctx, h)
				if err != nil {
					t.Fatal(err)
				}
				blocks = append(blocks, b)
			}
			// 2 points: buckets of 117 blocks, rounded to 120 (12 ranges
			// of 10); 3 points: 78, to 80; 40 points: 6 blocks, summed
			// from the blocks.
			for _, tc := range []struct{ points, size int }{{2, 120}, {3, 80}, {40, 6}, {1, 240}} {
				got, err := db.Series(ctx, tc.points)
				if err != nil {
					t.Fatal(err)
				}
				var want []indexer.SeriesPoint
				for i, b := range blocks {
					if i%tc.size == 0 {
						want = append(want, indexer.SeriesPoint{FromHeight: b.Height, TimeNs: b.TimeNs})
					}
					p := &want[len(want)-1]
					p.Txs += int64(b.NumTxs)
					p.Minted += b.Minted
					p.Burned += b.Burned
					p.Fees += b.Fees
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%d points:\n got %v\nwant %v", tc.points, got, want)
				}
			}
			st, err := db.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var txs, fees, burned int64
			for _, b := range blocks {
				txs, fees, burned = txs+int64(b.NumTxs), fees+b.Fees, burned+b.Burned
			}
			if st.Height != c.Height() || st.Txs != txs || st.Fees != fees || st.Burned != burned || st.Burned == 0 {
				t.Fatalf("stats %+v; want height %d, %d txs, %d fees, %d burned", st, c.Height(), txs, fees, burned)
			}
		})
	}
}

// TestBackendsAgree indexes the same chain, with moves and payouts, into
// SQLite and PostgreSQL and compares what the map, the charts and the
// totals read from each.
func TestBackendsAgree(t *testing.T) {
	ctx := context.Background()
	c := buildChain(t, 250)
	if _, err := c.Commit(false, c.Locate(1, 0, parisCell(t))); err != nil { // device 0's owner is account 1
		t.Fatal(err)
	}
	sum, exps := explanations(1, 12, 700)
	var answers []string
	for _, be := range backends() {
		db := openDB(t, be.url(t))
		if _, err := indexer.New(indexer.Config{Batch: 16}, db, c.Source, nil, quiet()).Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteExplanations(ctx, 1, sum, exps); err != nil {
			t.Fatal(err)
		}
		var out []any
		world := indexer.BBox{South: -850_000_000, West: -1_800_000_000, North: 850_000_000, East: 1_800_000_000}
		berlin := indexer.BBox{South: 523_000_000, West: 130_000_000, North: 527_000_000, East: 136_000_000}
		for _, q := range []struct {
			box indexer.BBox
			res int
		}{{world, indexer.CoarseRes}, {world, indexer.MidRes}, {berlin, indexer.MidRes}} {
			h, err := db.MapHexes(ctx, q.box, q.res)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, h)
		}
		for _, points := range []int{1, 3, 120} {
			s, err := db.Series(ctx, points)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		st, err := db.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
		answers = append(answers, fmt.Sprint(out...))
	}
	if answers[0] != answers[1] {
		t.Fatalf("SQLite and PostgreSQL differ:\n%s\n%s", answers[0], answers[1])
	}
}
