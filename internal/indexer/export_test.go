package indexer

import (
	"context"
	"fmt"
)

// CountRows counts a table's rows (tests only).
func CountRows(ctx context.Context, d *DB, table string) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// CheckHeights counts missing heights up to the cursor and heights stored
// more than once (tests only).
func CheckHeights(ctx context.Context, d *DB) (gaps, dups int, err error) {
	var cnt, distinct, maxH int64
	if err = d.sql.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT height), COALESCE(MAX(height), 0) FROM blocks`).Scan(&cnt, &distinct, &maxH); err != nil {
		return 0, 0, err
	}
	cur, err := d.Cursor(ctx)
	if err != nil {
		return 0, 0, err
	}
	return int(cur - distinct), int(cnt - distinct), nil
}

// SetVersion overwrites the recorded schema version (tests only).
func SetVersion(ctx context.Context, d *DB, v int) error {
	_, err := d.sql.ExecContext(ctx, d.rebind(`UPDATE schema_version SET version = ?`), v)
	return err
}

// CheckTotals recomputes map_hexes and block_ranges from the devices and
// blocks they summarise and reports the first difference (tests only).
func CheckTotals(ctx context.Context, d *DB) error {
	type sums [6]int64
	load := func(q string, args ...any) (map[string]sums, error) {
		rows, err := d.query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]sums{}
		for rows.Next() {
			var k string
			var s sums
			if err := rows.Scan(&k, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5]); err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, rows.Err()
	}
	compare := func(what string, got, want map[string]sums) error {
		for k, w := range want {
			if got[k] != w {
				return fmt.Errorf("%s %s: kept %v, recomputed %v", what, k, got[k], w)
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok && g != (sums{}) {
				return fmt.Errorf("%s %s: kept %v, recomputed nothing", what, k, g)
			}
		}
		return nil
	}
	for res, col := range map[int]string{CoarseRes: "hex_coarse", MidRes: "hex_mid"} {
		got, err := load(`SELECT cell, devices, payout, 0, 0, 0, 0 FROM map_hexes WHERE res = ?`, res)
		if err != nil {
			return err
		}
		want, err := load(`SELECT ` + col + `, COUNT(*), SUM(last_payout), 0, 0, 0, 0 FROM devices WHERE ` + col + ` <> '' GROUP BY ` + col)
		if err != nil {
			return err
		}
		if err := compare(fmt.Sprintf("map hex (res %d)", res), got, want); err != nil {
			return err
		}
		// Each hex's centre is its cell's.
		rows, err := d.query(ctx, `SELECT cell, lat_e7, lng_e7 FROM map_hexes WHERE res = ?`, res)
		if err != nil {
			return err
		}
		for rows.Next() {
			var cell string
			var lat, lng int64
			if err := rows.Scan(&cell, &lat, &lng); err != nil {
				rows.Close()
				return err
			}
			ll, err := cellCenter(cell)
			if err != nil || ll.LatE7 != lat || ll.LngE7 != lng {
				rows.Close()
				return fmt.Errorf("map hex %s: centre %d,%d, cell's %v (%v)", cell, lat, lng, ll, err)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	for _, size := range RangeSizes {
		got, err := load(`SELECT CAST(bucket AS TEXT), blocks, time_ns, txs, minted, burned, fees FROM block_ranges WHERE size = ?`, size)
		if err != nil {
			return err
		}
		want, err := load(fmt.Sprintf(`SELECT CAST((height - 1) / %[1]d AS TEXT), COUNT(*), MIN(time_ns), SUM(num_txs), SUM(minted), SUM(burned), SUM(fees) FROM blocks GROUP BY (height - 1) / %[1]d`, size))
		if err != nil {
			return err
		}
		if err := compare(fmt.Sprintf("block range (size %d)", size), got, want); err != nil {
			return err
		}
	}
	return nil
}
