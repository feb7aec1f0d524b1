package indexer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// The read side: what the explorer shows, from the database only. Every
// 64-bit integer is a decimal string in JSON, as in internal/query, so
// that JavaScript never loses precision.

// MaxLimit bounds every list.
const MaxLimit = 200

// BlockRow is a block.
type BlockRow struct {
	Height    int64  `json:"height,string"`
	Hash      string `json:"hash"`
	TimeNs    int64  `json:"time_ns,string"`
	Proposer  string `json:"proposer"`
	NumTxs    int    `json:"num_txs"`
	FailedTxs int    `json:"failed_txs"`
	Fees      int64  `json:"fees,string"`
	Minted    int64  `json:"minted,string"`
	Burned    int64  `json:"burned,string"`
}

// TxRow is a transaction.
type TxRow struct {
	Hash   string `json:"hash"`
	Height int64  `json:"height,string"`
	Index  int    `json:"index"`
	Signer string `json:"signer"`
	Code   uint32 `json:"code"`
	Log    string `json:"log,omitempty"`
	Fee    int64  `json:"fee,string"`
	Memo   string `json:"memo,omitempty"`
	Msgs   string `json:"msgs"`
	Size   int    `json:"size"`
	TimeNs int64  `json:"time_ns,string"`
}

// EventRow is an event; TxIndex is -1 for a block's own events.
type EventRow struct {
	Height  int64       `json:"height,string"`
	TxIndex int         `json:"tx_index"`
	Index   int         `json:"index"`
	Type    string      `json:"type"`
	Attrs   [][2]string `json:"attrs"`
}

// Attr returns the first value of key.
func (e EventRow) Attr(key string) string {
	for _, a := range e.Attrs {
		if a[0] == key {
			return a[1]
		}
	}
	return ""
}

// DeviceRow is a device.
type DeviceRow struct {
	Address         string `json:"address"`
	Owner           string `json:"owner"`
	Maker           string `json:"maker"`
	Kind            string `json:"kind"`
	Serial          string `json:"serial"`
	OnboardedHeight int64  `json:"onboarded_height,string"`
	Status          string `json:"status"`
	Cell            string `json:"cell,omitempty"`
	LatE7           int64  `json:"lat_e7,string"`
	LngE7           int64  `json:"lng_e7,string"`
	Located         bool   `json:"located"`
	LocatedHeight   int64  `json:"located_height,string"`
	LastEpoch       int64  `json:"last_epoch,string"`
	LastPayout      int64  `json:"last_payout,string"`
	TotalPayout     int64  `json:"total_payout,string"`
}

// LocationRow is one location assertion of a device.
type LocationRow struct {
	Height int64  `json:"height,string"`
	Cell   string `json:"cell"`
	LatE7  int64  `json:"lat_e7,string"`
	LngE7  int64  `json:"lng_e7,string"`
	// Attributes are the kind's opaque location attributes, in hex.
	Attributes string `json:"attributes,omitempty"`
}

// RewardRow is a device's result for one epoch; Explanation is the
// oracle's JSON (its shares, pools and every report's reason).
type RewardRow struct {
	Epoch       int64           `json:"epoch,string"`
	Device      string          `json:"device"`
	Payout      int64           `json:"payout,string"`
	Cumulative  int64           `json:"cumulative,string"`
	Reports     int             `json:"reports"`
	Valid       int             `json:"valid"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
}

// EpochRow is a reward epoch.
type EpochRow struct {
	Number        int64           `json:"number,string"`
	EndHeight     int64           `json:"end_height,string"`
	Emission      int64           `json:"emission,string"`
	SettledHeight int64           `json:"settled_height,string"`
	Root          string          `json:"root,omitempty"`
	DeviceTotal   int64           `json:"device_total,string"`
	Treasury      int64           `json:"treasury,string"`
	Explained     bool            `json:"explained"`
	Summary       json.RawMessage `json:"summary,omitempty"`
}

// ReasonRow counts one role's reports with one reason in an epoch.
type ReasonRow struct {
	Role   string `json:"role"`
	Reason string `json:"reason"`
	Count  int64  `json:"count,string"`
}

// Stats is the chain at a glance.
type Stats struct {
	ChainID       string `json:"chain_id"`
	Denom         string `json:"denom"`
	Decimals      int    `json:"decimals"`
	Height        int64  `json:"height,string"`
	TimeNs        int64  `json:"time_ns,string"`
	Txs           int64  `json:"txs,string"`
	Devices       int64  `json:"devices,string"`
	Located       int64  `json:"located,string"`
	GenesisSupply int64  `json:"genesis_supply,string"`
	Minted        int64  `json:"minted,string"`
	Burned        int64  `json:"burned,string"`
	Fees          int64  `json:"fees,string"`
	Supply        int64  `json:"supply,string"`
	Epochs        int64  `json:"epochs,string"`
}

func (d *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := d.sql.QueryContext(ctx, d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("indexer: query: %w", err)
	}
	return rows, nil
}

func (d *DB) row(ctx context.Context, q string, args ...any) *sql.Row {
	return d.sql.QueryRowContext(ctx, d.rebind(q), args...)
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("indexer: %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("indexer: %s: %w", what, err)
	}
	return nil
}

func clampLimit(n int) int {
	if n <= 0 {
		return 25
	}
	return min(n, MaxLimit)
}

// Stats reads the chain at a glance.
func (d *DB) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	// The sums come from the totals of the longest block ranges, a row per
	// million blocks; located devices from the coarse map hexes.
	top := RangeSizes[len(RangeSizes)-1]
	err := d.row(ctx, `SELECT COALESCE(SUM(txs), 0), COALESCE(SUM(minted), 0), COALESCE(SUM(burned), 0), COALESCE(SUM(fees), 0) FROM block_ranges WHERE size = ?`, top).
		Scan(&s.Txs, &s.Minted, &s.Burned, &s.Fees)
	if err != nil {
		return s, fmt.Errorf("indexer: stats: %w", err)
	}
	_ = d.row(ctx, `SELECT height, time_ns FROM blocks ORDER BY height DESC LIMIT 1`).Scan(&s.Height, &s.TimeNs)
	if err := d.row(ctx, `SELECT COUNT(*) FROM devices`).Scan(&s.Devices); err != nil {
		return s, fmt.Errorf("indexer: stats: %w", err)
	}
	if err := d.row(ctx, `SELECT COALESCE(SUM(devices), 0) FROM map_hexes WHERE res = ?`, CoarseRes).Scan(&s.Located); err != nil {
		return s, fmt.Errorf("indexer: stats: %w", err)
	}
	if err := d.row(ctx, `SELECT COUNT(*) FROM epochs`).Scan(&s.Epochs); err != nil {
		return s, fmt.Errorf("indexer: stats: %w", err)
	}
	meta := map[string]string{}
	rows, err := d.query(ctx, `SELECT key, value FROM meta`)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, fmt.Errorf("indexer: stats: %w", err)
		}
		meta[k] = v
	}
	s.ChainID, s.Denom = meta["chain_id"], meta["denom"]
	s.Decimals, _ = strconv.Atoi(meta["decimals"])
	s.GenesisSupply, _ = strconv.ParseInt(meta["genesis_supply"], 10, 64)
	s.Supply = s.GenesisSupply + s.Minted - s.Burned
	return s, rows.Err()
}

const blockCols = `height, hash, time_ns, proposer, num_txs, failed_txs, fees, minted, burned`

func scanBlocks(rows *sql.Rows) ([]BlockRow, error) {
	defer rows.Close()
	var out []BlockRow
	for rows.Next() {
		var b BlockRow
		if err := rows.Scan(&b.Height, &b.Hash, &b.TimeNs, &b.Proposer, &b.NumTxs, &b.FailedTxs, &b.Fees, &b.Minted, &b.Burned); err != nil {
			return nil, fmt.Errorf("indexer: blocks: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Blocks lists blocks below before (0: from the head), newest first.
func (d *DB) Blocks(ctx context.Context, before int64, limit int) ([]BlockRow, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := d.query(ctx, `SELECT `+blockCols+` FROM blocks WHERE height < ? ORDER BY height DESC LIMIT ?`, before, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	return scanBlocks(rows)
}

// Block reads one block.
func (d *DB) Block(ctx context.Context, height int64) (BlockRow, error) {
	var b BlockRow
	err := d.row(ctx, `SELECT `+blockCols+` FROM blocks WHERE height = ?`, height).
		Scan(&b.Height, &b.Hash, &b.TimeNs, &b.Proposer, &b.NumTxs, &b.FailedTxs, &b.Fees, &b.Minted, &b.Burned)
	return b, notFound(err, "block "+strconv.FormatInt(height, 10))
}

// BlockByHash finds a block by its hash (upper-case hex).
func (d *DB) BlockByHash(ctx context.Context, hash string) (BlockRow, error) {
	var h int64
	if err := d.row(ctx, `SELECT height FROM blocks WHERE hash = ?`, hash).Scan(&h); err != nil {
		return BlockRow{}, notFound(err, "block "+hash)
	}
	return d.Block(ctx, h)
}

const txCols = `t.hash, t.height, t.idx, t.signer, t.code, t.log, t.fee, t.memo, t.msgs, t.size, b.time_ns`

func scanTxs(rows *sql.Rows) ([]TxRow, error) {
	defer rows.Close()
	var out []TxRow
	for rows.Next() {
		var t TxRow
		var code int64
		if err := rows.Scan(&t.Hash, &t.Height, &t.Index, &t.Signer, &code, &t.Log, &t.Fee, &t.Memo, &t.Msgs, &t.Size, &t.TimeNs); err != nil {
			return nil, fmt.Errorf("indexer: txs: %w", err)
		}
		t.Code = uint32(code)
		out = append(out, t)
	}
	return out, rows.Err()
}

// BlockTxs lists a block's transactions in order.
func (d *DB) BlockTxs(ctx context.Context, height int64) ([]TxRow, error) {
	rows, err := d.query(ctx, `SELECT `+txCols+` FROM txs t JOIN blocks b ON b.height = t.height WHERE t.height = ? ORDER BY t.idx`, height)
	if err != nil {
		return nil, err
	}
	return scanTxs(rows)
}

// Tx finds a transaction by hash (upper-case hex); the first inclusion if
// the same bytes were included twice.
func (d *DB) Tx(ctx context.Context, hash string) (TxRow, error) {
	rows, err := d.query(ctx, `SELECT `+txCols+` FROM txs t JOIN blocks b ON b.height = t.height WHERE t.hash = ? ORDER BY t.height, t.idx LIMIT 1`, hash)
	if err != nil {
		return TxRow{}, err
	}
	txs, err := scanTxs(rows)
	if err != nil {
		return TxRow{}, err
	}
	if len(txs) == 0 {
		return TxRow{}, fmt.Errorf("indexer: tx %s: %w", hash, ErrNotFound)
	}
	return txs[0], nil
}

// Events lists the events of a transaction (txIndex >= 0) or of a block's
// end (txIndex -1), in order.
func (d *DB) Events(ctx context.Context, height int64, txIndex int) ([]EventRow, error) {
	rows, err := d.query(ctx, `SELECT height, tx_idx, ev_idx, type, attrs FROM events WHERE height = ? AND tx_idx = ? ORDER BY ev_idx`, height, txIndex)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

func scanEvents(rows *sql.Rows) ([]EventRow, error) {
	defer rows.Close()
	var out []EventRow
	for rows.Next() {
		var e EventRow
		var attrs string
		if err := rows.Scan(&e.Height, &e.TxIndex, &e.Index, &e.Type, &attrs); err != nil {
			return nil, fmt.Errorf("indexer: events: %w", err)
		}
		if err := json.Unmarshal([]byte(attrs), &e.Attrs); err != nil {
			return nil, fmt.Errorf("indexer: events: attrs: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventsOfModule lists the newest events whose type starts with
// module + "." below height before (0: from the head): what the market,
// governance and staking pages show until those modules have readers.
func (d *DB) EventsOfModule(ctx context.Context, module string, before int64, limit int) ([]EventRow, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := d.query(ctx, `SELECT height, tx_idx, ev_idx, type, attrs FROM events WHERE type >= ? AND type < ? AND height < ? ORDER BY height DESC, tx_idx DESC, ev_idx DESC LIMIT ?`,
		module+".", module+"/", before, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// EventsOfType lists the events of one type below height before (0: from
// the head), newest first.
func (d *DB) EventsOfType(ctx context.Context, typ string, before int64, limit int) ([]EventRow, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := d.query(ctx, `SELECT height, tx_idx, ev_idx, type, attrs FROM events WHERE type = ? AND height < ? ORDER BY height DESC, tx_idx DESC, ev_idx DESC LIMIT ?`,
		typ, before, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// AccountTxs lists the transactions that involve address, newest first,
// below height before (0: from the head).
func (d *DB) AccountTxs(ctx context.Context, address string, before int64, limit int) ([]TxRow, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := d.query(ctx, `SELECT `+txCols+` FROM account_txs a JOIN txs t ON t.height = a.height AND t.idx = a.idx JOIN blocks b ON b.height = t.height
		WHERE a.address = ? AND a.height < ? ORDER BY a.height DESC, a.idx DESC LIMIT ?`, address, before, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	return scanTxs(rows)
}

const deviceCols = `address, owner, maker, kind, serial, onboarded_height, status, cell, lat_e7, lng_e7, located_height, last_epoch, last_payout, total_payout`

func scanDevices(rows *sql.Rows) ([]DeviceRow, error) {
	defer rows.Close()
	var out []DeviceRow
	for rows.Next() {
		var r DeviceRow
		var lat, lng sql.NullInt64
		if err := rows.Scan(&r.Address, &r.Owner, &r.Maker, &r.Kind, &r.Serial, &r.OnboardedHeight, &r.Status, &r.Cell, &lat, &lng,
			&r.LocatedHeight, &r.LastEpoch, &r.LastPayout, &r.TotalPayout); err != nil {
			return nil, fmt.Errorf("indexer: devices: %w", err)
		}
		r.LatE7, r.LngE7, r.Located = lat.Int64, lng.Int64, lat.Valid
		out = append(out, r)
	}
	return out, rows.Err()
}

// Devices lists devices by address after the given one, optionally of one
// owner.
func (d *DB) Devices(ctx context.Context, owner, after string, limit int) ([]DeviceRow, error) {
	q := `SELECT ` + deviceCols + ` FROM devices WHERE address > ?`
	args := []any{after}
	if owner != "" {
		q += ` AND owner = ?`
		args = append(args, owner)
	}
	rows, err := d.query(ctx, q+` ORDER BY address LIMIT ?`, append(args, clampLimit(limit))...)
	if err != nil {
		return nil, err
	}
	return scanDevices(rows)
}

// Device reads one device.
func (d *DB) Device(ctx context.Context, address string) (DeviceRow, error) {
	rows, err := d.query(ctx, `SELECT `+deviceCols+` FROM devices WHERE address = ?`, address)
	if err != nil {
		return DeviceRow{}, err
	}
	list, err := scanDevices(rows)
	if err != nil {
		return DeviceRow{}, err
	}
	if len(list) == 0 {
		return DeviceRow{}, fmt.Errorf("indexer: device %s: %w", address, ErrNotFound)
	}
	return list[0], nil
}

// Locations lists a device's location assertions, newest first.
func (d *DB) Locations(ctx context.Context, device string, limit int) ([]LocationRow, error) {
	rows, err := d.query(ctx, `SELECT height, cell, lat_e7, lng_e7, attributes FROM device_locations WHERE device = ? ORDER BY height DESC, tx_idx DESC, ev_idx DESC LIMIT ?`,
		device, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LocationRow
	for rows.Next() {
		var l LocationRow
		if err := rows.Scan(&l.Height, &l.Cell, &l.LatE7, &l.LngE7, &l.Attributes); err != nil {
			return nil, fmt.Errorf("indexer: locations: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Rewards lists a device's per-epoch results, newest first, without the
// explanations.
func (d *DB) Rewards(ctx context.Context, device string, limit int) ([]RewardRow, error) {
	rows, err := d.query(ctx, `SELECT epoch, device, payout, cumulative, reports, valid FROM device_rewards WHERE device = ? ORDER BY epoch DESC LIMIT ?`, device, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RewardRow
	for rows.Next() {
		var r RewardRow
		if err := rows.Scan(&r.Epoch, &r.Device, &r.Payout, &r.Cumulative, &r.Reports, &r.Valid); err != nil {
			return nil, fmt.Errorf("indexer: rewards: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reward reads a device's result for one epoch with the explanation.
func (d *DB) Reward(ctx context.Context, device string, epoch int64) (RewardRow, error) {
	r := RewardRow{Device: device, Epoch: epoch}
	var ex string
	err := d.row(ctx, `SELECT payout, cumulative, reports, valid, explanation FROM device_rewards WHERE device = ? AND epoch = ?`, device, epoch).
		Scan(&r.Payout, &r.Cumulative, &r.Reports, &r.Valid, &ex)
	r.Explanation = json.RawMessage(ex)
	return r, notFound(err, "reward of "+device)
}

// TopRewards lists an epoch's best-paid devices.
func (d *DB) TopRewards(ctx context.Context, epoch int64, limit int) ([]RewardRow, error) {
	rows, err := d.query(ctx, `SELECT epoch, device, payout, cumulative, reports, valid FROM device_rewards WHERE epoch = ? ORDER BY payout DESC, device LIMIT ?`, epoch, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RewardRow
	for rows.Next() {
		var r RewardRow
		if err := rows.Scan(&r.Epoch, &r.Device, &r.Payout, &r.Cumulative, &r.Reports, &r.Valid); err != nil {
			return nil, fmt.Errorf("indexer: rewards: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const epochCols = `number, end_height, emission, settled_height, root, device_total, treasury, explained`

func scanEpoch(sc interface{ Scan(...any) error }, e *EpochRow) error {
	var explained int
	err := sc.Scan(&e.Number, &e.EndHeight, &e.Emission, &e.SettledHeight, &e.Root, &e.DeviceTotal, &e.Treasury, &explained)
	e.Explained = explained != 0
	return err
}

// Epochs lists epochs below before (0: from the newest), newest first.
func (d *DB) Epochs(ctx context.Context, before int64, limit int) ([]EpochRow, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := d.query(ctx, `SELECT `+epochCols+` FROM epochs WHERE number < ? ORDER BY number DESC LIMIT ?`, before, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EpochRow
	for rows.Next() {
		var e EpochRow
		if err := scanEpoch(rows, &e); err != nil {
			return nil, fmt.Errorf("indexer: epochs: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Epoch reads one epoch with the oracle's summary and its reasons.
func (d *DB) Epoch(ctx context.Context, n int64) (EpochRow, []ReasonRow, error) {
	var e EpochRow
	var sum string
	err := d.row(ctx, `SELECT `+epochCols+`, summary FROM epochs WHERE number = ?`, n).Scan(
		&e.Number, &e.EndHeight, &e.Emission, &e.SettledHeight, &e.Root, &e.DeviceTotal, &e.Treasury, new(int), &sum)
	if err := notFound(err, "epoch "+strconv.FormatInt(n, 10)); err != nil {
		return e, nil, err
	}
	if sum != "" {
		e.Explained, e.Summary = true, json.RawMessage(sum)
	}
	rows, err := d.query(ctx, `SELECT role, reason, count FROM epoch_reasons WHERE epoch = ? ORDER BY count DESC, role, reason`, n)
	if err != nil {
		return e, nil, err
	}
	defer rows.Close()
	var out []ReasonRow
	for rows.Next() {
		var r ReasonRow
		if err := rows.Scan(&r.Role, &r.Reason, &r.Count); err != nil {
			return e, nil, fmt.Errorf("indexer: epoch reasons: %w", err)
		}
		out = append(out, r)
	}
	return e, out, rows.Err()
}
