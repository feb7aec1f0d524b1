package indexer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/depin-network/depin/internal/geo"
)

// The explorer's map and charts read totals the indexer keeps as it
// writes, so that a page reads one row per hex or per block range instead
// of one per device or per block:
//
//   - map_hexes: per H3 cell at CoarseRes and MidRes, the located devices
//     whose cell is inside it and the sum of their last payouts, with the
//     cell's centre for the map's view queries;
//   - block_ranges: per run of RangeSizes[i] heights, the blocks, the first
//     block's time and the sums of transactions, minted, burned and fees.
//
// A write adds its changes to the writer's deltas, and flushTotals writes
// them in the same SQL transaction as the rows they summarise, just before
// the cursor (or the epoch's explained flag). The totals are therefore
// exactly as durable as those rows: a kill -9 loses both or neither, and a
// height written twice is skipped by the cursor before it adds anything.

// RangeSizes are the lengths of the block ranges block_ranges sums. Series
// groups the ranges of one size into its chart's buckets.
var RangeSizes = []int64{10, 100, 1_000, 10_000, 100_000, 1_000_000}

type rangeKey struct{ size, bucket int64 }

type rangeSum struct{ blocks, timeNs, txs, minted, burned, fees int64 }

type hexKey struct {
	res  int
	cell string
}

type hexSum struct{ devices, payout int64 }

// totals are the writer's pending changes to map_hexes and block_ranges.
type totals struct {
	ranges map[rangeKey]*rangeSum
	hexes  map[hexKey]*hexSum
}

// addBlock adds one block to the ranges that contain it. Blocks are added
// in height order, so the first block added to a range has its earliest
// time.
func (w *writer) addBlock(height, timeNs, txs, minted, burned, fees int64) {
	if w.tot.ranges == nil {
		w.tot.ranges = map[rangeKey]*rangeSum{}
	}
	for _, size := range RangeSizes {
		k := rangeKey{size, (height - 1) / size}
		r := w.tot.ranges[k]
		if r == nil {
			r = &rangeSum{timeNs: timeNs}
			w.tot.ranges[k] = r
		}
		r.blocks++
		r.txs += txs
		r.minted += minted
		r.burned += burned
		r.fees += fees
	}
}

// addHexes adds devices and payout to a device's coarse and mid cells
// (negative to take a device out); an empty cell (not located) is skipped.
func (w *writer) addHexes(coarse, mid string, devices, payout int64) {
	if w.tot.hexes == nil {
		w.tot.hexes = map[hexKey]*hexSum{}
	}
	for _, k := range []hexKey{{CoarseRes, coarse}, {MidRes, mid}} {
		if k.cell == "" {
			continue
		}
		h := w.tot.hexes[k]
		if h == nil {
			h = &hexSum{}
			w.tot.hexes[k] = h
		}
		h.devices += devices
		h.payout += payout
	}
}

// totalsVersion is the schema version that added the totals.
const totalsVersion = 4

// flushTotals writes the pending changes and clears them; a database held
// at a version before the totals only clears them.
func (w *writer) flushTotals() error {
	if !w.db.has(totalsVersion) {
		w.tot = totals{}
		return nil
	}
	return w.writeTotals()
}

// writeTotals writes the pending changes, in key order, and clears them.
func (w *writer) writeTotals() error {
	rks := make([]rangeKey, 0, len(w.tot.ranges))
	for k := range w.tot.ranges {
		rks = append(rks, k)
	}
	slices.SortFunc(rks, func(a, b rangeKey) int { return cmp.Or(cmp.Compare(a.size, b.size), cmp.Compare(a.bucket, b.bucket)) })
	for _, k := range rks {
		r := w.tot.ranges[k]
		if _, err := w.exec(`INSERT INTO block_ranges (size, bucket, blocks, time_ns, txs, minted, burned, fees) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (size, bucket) DO UPDATE SET blocks = block_ranges.blocks + excluded.blocks, txs = block_ranges.txs + excluded.txs,
			minted = block_ranges.minted + excluded.minted, burned = block_ranges.burned + excluded.burned, fees = block_ranges.fees + excluded.fees`,
			k.size, k.bucket, r.blocks, r.timeNs, r.txs, r.minted, r.burned, r.fees); err != nil {
			return err
		}
	}
	hks := make([]hexKey, 0, len(w.tot.hexes))
	for k, h := range w.tot.hexes {
		if *h != (hexSum{}) {
			hks = append(hks, k)
		}
	}
	slices.SortFunc(hks, func(a, b hexKey) int { return cmp.Or(cmp.Compare(a.res, b.res), cmp.Compare(a.cell, b.cell)) })
	for _, k := range hks {
		h := w.tot.hexes[k]
		ll, err := cellCenter(k.cell)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO map_hexes (res, cell, lat_e7, lng_e7, devices, payout) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (res, cell) DO UPDATE SET devices = map_hexes.devices + excluded.devices, payout = map_hexes.payout + excluded.payout`,
			k.res, k.cell, ll.LatE7, ll.LngE7, h.devices, h.payout); err != nil {
			return err
		}
	}
	w.tot = totals{}
	return nil
}

func cellCenter(cellHex string) (geo.LatLng, error) {
	cell, err := strconv.ParseUint(cellHex, 16, 64)
	if err != nil || !geo.IsValid(cell) {
		return geo.LatLng{}, fmt.Errorf("cell %q is not an H3 cell", cellHex)
	}
	return geo.Center(cell)
}

// backfillTotals fills map_hexes and block_ranges from the devices and
// blocks of a database indexed before they existed (migration 4).
func backfillTotals(w *writer) error {
	for _, size := range RangeSizes {
		// The sizes are constants: literals keep PostgreSQL from having to
		// guess parameter types inside INSERT ... SELECT.
		q := fmt.Sprintf(`INSERT INTO block_ranges (size, bucket, blocks, time_ns, txs, minted, burned, fees)
			SELECT %[1]d, (height - 1) / %[1]d, COUNT(*), MIN(time_ns), SUM(num_txs), SUM(minted), SUM(burned), SUM(fees) FROM blocks GROUP BY (height - 1) / %[1]d`, size)
		if _, err := w.exec(q); err != nil {
			return err
		}
	}
	for _, col := range []string{"hex_coarse", "hex_mid"} {
		type group struct {
			cell            string
			devices, payout int64
		}
		var groups []group
		rows, err := w.tx.QueryContext(w.ctx, `SELECT `+col+`, COUNT(*), COALESCE(SUM(last_payout), 0) FROM devices WHERE `+col+` <> '' GROUP BY `+col)
		if err != nil {
			return err
		}
		for rows.Next() {
			var g group
			if err := rows.Scan(&g.cell, &g.devices, &g.payout); err != nil {
				rows.Close()
				return err
			}
			groups = append(groups, g)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, g := range groups {
			if col == "hex_coarse" {
				w.addHexes(g.cell, "", g.devices, g.payout)
			} else {
				w.addHexes("", g.cell, g.devices, g.payout)
			}
		}
	}
	return w.writeTotals()
}
