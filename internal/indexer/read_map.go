package indexer

import (
	"context"
	"database/sql"
	"fmt"
	"math"
)

// BBox is a map view in 1e-7 degrees. West > East crosses the
// antimeridian.
type BBox struct {
	South, West, North, East int64
}

// where returns the SQL condition selecting lat_e7/lng_e7 inside b.
func (b BBox) where() (string, []any) {
	if b.West <= b.East {
		return `lat_e7 BETWEEN ? AND ? AND lng_e7 BETWEEN ? AND ?`, []any{b.South, b.North, b.West, b.East}
	}
	return `lat_e7 BETWEEN ? AND ? AND (lng_e7 >= ? OR lng_e7 <= ?)`, []any{b.South, b.North, b.West, b.East}
}

// MapPoint is a located device on the map.
type MapPoint struct {
	Address string `json:"address"`
	Cell    string `json:"cell"`
	LatE7   int64  `json:"lat_e7,string"`
	LngE7   int64  `json:"lng_e7,string"`
	Status  string `json:"status"`
	Payout  int64  `json:"payout,string"`
}

// MapHex aggregates the located devices of one parent cell.
type MapHex struct {
	Cell    string `json:"cell"`
	Devices int64  `json:"devices,string"`
	Payout  int64  `json:"payout,string"`
}

// MapDevices lists up to limit located devices inside b, and whether
// there were more.
func (d *DB) MapDevices(ctx context.Context, b BBox, limit int) ([]MapPoint, bool, error) {
	cond, args := b.where()
	rows, err := d.query(ctx, `SELECT address, cell, lat_e7, lng_e7, status, last_payout FROM devices WHERE `+cond+` ORDER BY address LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []MapPoint
	for rows.Next() {
		var p MapPoint
		if err := rows.Scan(&p.Address, &p.Cell, &p.LatE7, &p.LngE7, &p.Status, &p.Payout); err != nil {
			return nil, false, fmt.Errorf("indexer: map: %w", err)
		}
		out = append(out, p)
	}
	if len(out) > limit {
		return out[:limit], true, rows.Err()
	}
	return out, false, rows.Err()
}

// hexPadE7 widens a view, in 1e-7 degrees of latitude, by more than the
// largest distance from a hex's centre to its corners at each resolution,
// so that a hex partly in view is sent. H3's hexagons average a 22.6 km
// edge at resolution 4 and 1.22 km at resolution 7 (the edge is the
// centre-to-corner distance; https://h3geo.org/docs/core-library/restable);
// the pads are about twice that.
var hexPadE7 = map[int]int64{CoarseRes: 5_000_000, MidRes: 300_000}

// padded returns b widened by pad (latitude, 1e-7 degrees); longitudes are
// widened by pad / cos(latitude) at the view's edge nearest a pole, so a
// view that then spans every longitude becomes -180..180.
func (b BBox) padded(pad int64) BBox {
	const full, half, pole = 3_600_000_000, 1_800_000_000, 850_000_000
	out := BBox{South: max(b.South-pad, -900_000_000), North: min(b.North+pad, 900_000_000)}
	lat := min(max(-b.South, b.North, b.South, -b.North), pole)
	lngPad := int64(float64(pad) / math.Cos(float64(lat)/1e7*math.Pi/180))
	span := b.East - b.West
	if span < 0 {
		span += full
	}
	if span+2*lngPad >= full {
		out.West, out.East = -half, half
		return out
	}
	out.West, out.East = b.West-lngPad, b.East+lngPad
	if out.West < -half {
		out.West += full
	}
	if out.East > half {
		out.East -= full
	}
	return out
}

// MapHexes lists the parent cells at CoarseRes or MidRes that have located
// devices and are in view (their centre inside b widened by a hex), with
// their device count and the sum of the devices' last payouts: the map's
// view when zoomed out. It reads the totals in map_hexes, one row per hex.
func (d *DB) MapHexes(ctx context.Context, b BBox, res int) ([]MapHex, error) {
	pad, ok := hexPadE7[res]
	if !ok {
		return nil, fmt.Errorf("indexer: map: resolution %d is neither %d nor %d", res, CoarseRes, MidRes)
	}
	cond, args := b.padded(pad).where()
	rows, err := d.query(ctx, `SELECT cell, devices, payout FROM map_hexes WHERE res = ? AND devices > 0 AND `+cond+` ORDER BY cell`, append([]any{res}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MapHex
	for rows.Next() {
		var h MapHex
		if err := rows.Scan(&h.Cell, &h.Devices, &h.Payout); err != nil {
			return nil, fmt.Errorf("indexer: map: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// ProposerRow counts the blocks one validator proposed.
type ProposerRow struct {
	Address    string `json:"address"`
	Blocks     int64  `json:"blocks,string"`
	LastHeight int64  `json:"last_height,string"`
}

// Proposers counts proposers over the last window blocks. The newest
// blocks are taken by the primary key first: a condition on height alone
// let SQLite scan the whole (proposer, height) index instead.
func (d *DB) Proposers(ctx context.Context, window int64) ([]ProposerRow, error) {
	rows, err := d.query(ctx, `SELECT proposer, COUNT(*), MAX(height) FROM (SELECT proposer, height FROM blocks ORDER BY height DESC LIMIT ?) AS recent GROUP BY proposer ORDER BY COUNT(*) DESC, proposer`, window)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProposerRow
	for rows.Next() {
		var p ProposerRow
		if err := rows.Scan(&p.Address, &p.Blocks, &p.LastHeight); err != nil {
			return nil, fmt.Errorf("indexer: proposers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SeriesPoint sums a run of blocks, for charts.
type SeriesPoint struct {
	FromHeight int64 `json:"from_height,string"`
	TimeNs     int64 `json:"time_ns,string"`
	Txs        int64 `json:"txs,string"`
	Minted     int64 `json:"minted,string"`
	Burned     int64 `json:"burned,string"`
	Fees       int64 `json:"fees,string"`
}

// Series sums the chain's blocks into at most points buckets of equal
// height ranges. A long chain's buckets are read from block_ranges: each
// bucket is a whole number of ranges of the largest size at most a quarter
// of a bucket (so rounding a bucket up to it adds less than a quarter, and
// there are more than 0.8 × points buckets), which reads fewer than 40 ×
// points rows whatever the chain's length. A chain shorter than 40 ×
// points blocks is summed from its blocks.
func (d *DB) Series(ctx context.Context, points int) ([]SeriesPoint, error) {
	var head int64
	if err := d.row(ctx, `SELECT COALESCE(MAX(height), 0) FROM blocks`).Scan(&head); err != nil {
		return nil, fmt.Errorf("indexer: series: %w", err)
	}
	points = max(points, 1)
	size := max(1, (head+int64(points)-1)/int64(points))
	var rangeSize int64
	for _, r := range RangeSizes {
		if 4*r <= size {
			rangeSize = r
		}
	}
	var rows *sql.Rows
	var err error
	if rangeSize == 0 {
		rows, err = d.query(ctx, `SELECT (height - 1) / ?, MIN(time_ns), SUM(num_txs), SUM(minted), SUM(burned), SUM(fees) FROM blocks GROUP BY 1 ORDER BY 1`, size)
	} else {
		per := (size + rangeSize - 1) / rangeSize
		size = per * rangeSize
		rows, err = d.query(ctx, `SELECT bucket / ?, MIN(time_ns), SUM(txs), SUM(minted), SUM(burned), SUM(fees) FROM block_ranges WHERE size = ? GROUP BY 1 ORDER BY 1`, per, rangeSize)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SeriesPoint
	for rows.Next() {
		var p SeriesPoint
		var bucket int64
		if err := rows.Scan(&bucket, &p.TimeNs, &p.Txs, &p.Minted, &p.Burned, &p.Fees); err != nil {
			return nil, fmt.Errorf("indexer: series: %w", err)
		}
		p.FromHeight = bucket*size + 1
		out = append(out, p)
	}
	return out, rows.Err()
}
