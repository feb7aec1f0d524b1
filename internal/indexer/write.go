package indexer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/ledger"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// writer is one SQL transaction with its prepared statements.
type writer struct {
	ctx   context.Context
	db    *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	tot   totals
}

func (d *DB) begin(ctx context.Context) (*writer, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("indexer: begin: %w", err)
	}
	return &writer{ctx: ctx, db: d, tx: tx, stmts: map[string]*sql.Stmt{}}, nil
}

// stmt returns q prepared in the transaction, preparing it once.
func (w *writer) stmt(q string) (*sql.Stmt, error) {
	st, ok := w.stmts[q]
	if !ok {
		var err error
		if st, err = w.tx.PrepareContext(w.ctx, w.db.rebind(q)); err != nil {
			return nil, fmt.Errorf("indexer: prepare %.60q: %w", q, err)
		}
		w.stmts[q] = st
	}
	return st, nil
}

func (w *writer) exec(q string, args ...any) (sql.Result, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(w.ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("indexer: exec %.60q: %w", q, err)
	}
	return res, nil
}

// scanRow reads one row of q into dest; sql.ErrNoRows is returned as is.
func (w *writer) scanRow(q string, args []any, dest ...any) error {
	st, err := w.stmt(q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(w.ctx, args...).Scan(dest...)
}

func (w *writer) queryRow(q string, args ...any) *sql.Row {
	return w.tx.QueryRowContext(w.ctx, w.db.rebind(q), args...)
}

func (w *writer) rollback() {
	for _, st := range w.stmts {
		st.Close()
	}
	_ = w.tx.Rollback()
}

func (w *writer) commit() error {
	for _, st := range w.stmts {
		st.Close()
	}
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("indexer: commit: %w", err)
	}
	return nil
}

// WriteBlocks indexes consecutive blocks in one transaction with the
// cursor. Blocks at or below the cursor are skipped (a height written twice
// changes nothing); a block that would leave a gap is an error and nothing
// is written. It returns the new cursor.
func (d *DB) WriteBlocks(ctx context.Context, blocks []*Block) (int64, error) {
	w, err := d.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer w.rollback()
	var cur int64
	if err := w.queryRow(`SELECT height FROM cursor WHERE id = 1`).Scan(&cur); err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("indexer: cursor: %w", err)
	}
	start := cur
	for _, b := range blocks {
		if b.Height <= cur {
			continue
		}
		if b.Height != cur+1 {
			return start, fmt.Errorf("indexer: block %d after cursor %d would leave a gap", b.Height, cur)
		}
		if err := w.block(b); err != nil {
			return start, fmt.Errorf("indexer: block %d: %w", b.Height, err)
		}
		cur = b.Height
	}
	if cur == start {
		return cur, nil
	}
	if err := w.flushTotals(); err != nil {
		return start, err
	}
	if _, err := w.exec(`INSERT INTO cursor (id, height) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET height = excluded.height`, cur); err != nil {
		return start, err
	}
	if err := w.commit(); err != nil {
		return start, err
	}
	return cur, nil
}

// i64 stores a uint64 amount in a BIGINT column.
func i64(v uint64) (int64, error) {
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("amount %d does not fit a BIGINT", v)
	}
	return int64(v), nil
}

// attr returns the value of the first attribute named key.
func attr(e ledger.Event, key string) string {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

func attrU64(e ledger.Event, key string) uint64 {
	v, _ := strconv.ParseUint(attr(e, key), 10, 64)
	return v
}

// attrsJSON encodes attributes as [[key, value], ...]: keys may repeat.
func attrsJSON(attrs []ledger.Attr) string {
	pairs := make([][2]string, len(attrs))
	for i, a := range attrs {
		pairs[i] = [2]string{a.Key, a.Value}
	}
	b, _ := json.Marshal(pairs)
	return string(b)
}

// txInfo is what the indexer reads from a transaction's bytes.
type txInfo struct {
	hash, signer, memo, msgs string
	fee                      uint64
}

// decodeTx reads a transaction's signer, fee, memo and message types. A
// transaction the chain rejected may not decode; it is still indexed.
func decodeTx(raw []byte) txInfo {
	sum := sha256.Sum256(raw)
	info := txInfo{hash: strings.ToUpper(hex.EncodeToString(sum[:]))}
	var tx txv1.Tx
	if ledger.Unmarshal("tx", raw, &tx) != nil {
		return info
	}
	if len(tx.PubKey) == 32 {
		info.signer = ledger.AddressOf(tx.PubKey).String()
	}
	var body txv1.TxBody
	if ledger.Unmarshal("tx body", tx.Body, &body) != nil {
		return info
	}
	info.fee, info.memo = body.Fee, body.Memo
	types := make([]string, len(body.Msgs))
	for i, m := range body.Msgs {
		types[i] = m.Type
	}
	info.msgs = strings.Join(types, ",")
	return info
}

// isAddress reports whether s is an account or device address.
func isAddress(s string) bool {
	if !strings.HasPrefix(s, "pin1") || len(s) < 20 || len(s) > 90 {
		return false
	}
	_, err := ledger.ParseAddress(s)
	return err == nil
}

// evctx is where an event happened.
type evctx struct {
	w      *writer
	height int64
	time   int64
	txIdx  int // -1 for block events
	evIdx  int
	signer string
}

func (w *writer) block(b *Block) error {
	var minted, burned, fees uint64
	failed := 0
	all := func(f func(ledger.Event)) {
		for _, t := range b.Txs {
			for _, e := range t.Events {
				f(e)
			}
		}
		for _, e := range b.Events {
			f(e)
		}
	}
	all(func(e ledger.Event) {
		switch e.Type {
		case "reward.settled":
			minted += attrU64(e, "emission")
		case "tx":
			fees += attrU64(e, "fee")
		}
		burned += attrU64(e, "burned")
	})
	for _, t := range b.Txs {
		if t.Code != 0 {
			failed++
		}
	}
	m, err1 := i64(minted)
	bu, err2 := i64(burned)
	f, err3 := i64(fees)
	if err := firstErr(err1, err2, err3); err != nil {
		return err
	}
	if _, err := w.exec(`INSERT INTO blocks (height, hash, time_ns, proposer, num_txs, failed_txs, fees, minted, burned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (height) DO NOTHING`, b.Height, b.Hash, b.Time, b.Proposer, len(b.Txs), failed, f, m, bu); err != nil {
		return err
	}
	w.addBlock(b.Height, b.Time, int64(len(b.Txs)), m, bu, f)
	for i, t := range b.Txs {
		info := decodeTx(t.Raw)
		fee, err := i64(info.fee)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO txs (height, idx, hash, signer, code, log, fee, memo, msgs, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (height, idx) DO NOTHING`, b.Height, i, info.hash, info.signer, int64(t.Code), t.Log, fee, info.memo, info.msgs, len(t.Raw)); err != nil {
			return err
		}
		seen := map[string]bool{}
		touch := func(addr string) error {
			if seen[addr] {
				return nil
			}
			seen[addr] = true
			_, err := w.exec(`INSERT INTO account_txs (address, height, idx) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, addr, b.Height, i)
			return err
		}
		if info.signer != "" {
			if err := touch(info.signer); err != nil {
				return err
			}
		}
		for j, e := range t.Events {
			for _, a := range e.Attrs {
				if isAddress(a.Value) {
					if err := touch(a.Value); err != nil {
						return err
					}
				}
			}
			if err := w.event(&evctx{w: w, height: b.Height, time: b.Time, txIdx: i, evIdx: j, signer: info.signer}, e); err != nil {
				return err
			}
		}
	}
	for j, e := range b.Events {
		if err := w.event(&evctx{w: w, height: b.Height, time: b.Time, txIdx: -1, evIdx: j}, e); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) event(c *evctx, e ledger.Event) error {
	if _, err := w.exec(`INSERT INTO events (height, tx_idx, ev_idx, type, attrs) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.height, c.txIdx, c.evIdx, e.Type, attrsJSON(e.Attrs)); err != nil {
		return err
	}
	if r, ok := readers[e.Type]; ok {
		if err := r(c, e); err != nil {
			return fmt.Errorf("event %d.%d %s: %w", c.txIdx, c.evIdx, e.Type, err)
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
