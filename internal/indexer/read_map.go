package indexer

import (
	"context"
	"fmt"
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

// MapHexes aggregates the located devices inside b by their parent cell at
// CoarseRes or MidRes: the map's view when zoomed out.
func (d *DB) MapHexes(ctx context.Context, b BBox, res int) ([]MapHex, error) {
	col := "hex_coarse"
	if res == MidRes {
		col = "hex_mid"
	} else if res != CoarseRes {
		return nil, fmt.Errorf("indexer: map: resolution %d is neither %d nor %d", res, CoarseRes, MidRes)
	}
	cond, args := b.where()
	rows, err := d.query(ctx, `SELECT `+col+`, COUNT(*), COALESCE(SUM(last_payout), 0) FROM devices WHERE `+cond+` GROUP BY `+col+` ORDER BY `+col, args...)
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

// Proposers counts proposers over the last window blocks.
func (d *DB) Proposers(ctx context.Context, window int64) ([]ProposerRow, error) {
	rows, err := d.query(ctx, `SELECT proposer, COUNT(*), MAX(height) FROM blocks WHERE height > (SELECT COALESCE(MAX(height), 0) FROM blocks) - ? GROUP BY proposer ORDER BY COUNT(*) DESC, proposer`, window)
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
// height ranges.
func (d *DB) Series(ctx context.Context, points int) ([]SeriesPoint, error) {
	var head int64
	if err := d.row(ctx, `SELECT COALESCE(MAX(height), 0) FROM blocks`).Scan(&head); err != nil {
		return nil, fmt.Errorf("indexer: series: %w", err)
	}
	size := max(1, (head+int64(points)-1)/int64(max(points, 1)))
	rows, err := d.query(ctx, `SELECT (height - 1) / ?, MIN(time_ns), SUM(num_txs), SUM(minted), SUM(burned), SUM(fees) FROM blocks GROUP BY (height - 1) / ? ORDER BY 1`, size, size)
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
