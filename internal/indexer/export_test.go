package indexer

import "context"

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
