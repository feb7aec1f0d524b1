package indexer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/depin-network/depin/internal/apidoc"
)

// explanation is the part of the oracle's per-device explanation the
// indexer puts in columns; the whole object is kept as JSON.
type explanation struct {
	Device     string `json:"device"`
	Payout     uint64 `json:"payout,string"`
	Cumulative uint64 `json:"cumulative,string"`
	Reports    []struct {
		Reason string `json:"reason"`
	} `json:"reports"`
}

// summary is the part of the oracle's epoch summary kept in columns.
type summary struct {
	ByReason []struct {
		Role   string `json:"role"`
		Reason string `json:"reason"`
		Count  uint64 `json:"count,string"`
	} `json:"by_reason"`
}

// PendingEpochs lists settled epochs whose explanations are not indexed.
func (d *DB) PendingEpochs(ctx context.Context) ([]uint64, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT number FROM epochs WHERE settled_height > 0 AND explained = 0 ORDER BY number`)
	if err != nil {
		return nil, fmt.Errorf("indexer: pending epochs: %w", err)
	}
	defer rows.Close()
	var out []uint64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("indexer: pending epochs: %w", err)
		}
		out = append(out, uint64(n))
	}
	return out, rows.Err()
}

// WriteExplanations stores an epoch's summary and per-device explanations
// (the oracle's JSON) in one transaction and marks the epoch explained. An
// epoch already explained is left as it is.
func (d *DB) WriteExplanations(ctx context.Context, epoch uint64, summaryJSON, explanationsJSON []byte) error {
	var sum summary
	if err := apidoc.UnmarshalNumbers(summaryJSON, &sum); err != nil {
		return fmt.Errorf("indexer: epoch %d summary: %w", epoch, err)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(explanationsJSON, &raw); err != nil {
		return fmt.Errorf("indexer: epoch %d explanations: %w", epoch, err)
	}
	w, err := d.begin(ctx)
	if err != nil {
		return err
	}
	defer w.rollback()
	var explained int
	err = w.queryRow(`SELECT explained FROM epochs WHERE number = ?`, int64(epoch)).Scan(&explained)
	if err != nil {
		return fmt.Errorf("indexer: epoch %d: %w", epoch, err)
	}
	if explained != 0 {
		return nil
	}
	for i, r := range raw {
		var ex explanation
		if err := apidoc.UnmarshalNumbers(r, &ex); err != nil {
			return fmt.Errorf("indexer: epoch %d explanation %d: %w", epoch, i, err)
		}
		valid := 0
		for _, rep := range ex.Reports {
			if rep.Reason == "valid" {
				valid++
			}
		}
		pay, err1 := i64(ex.Payout)
		cum, err2 := i64(ex.Cumulative)
		if err := firstErr(err1, err2); err != nil {
			return fmt.Errorf("indexer: epoch %d device %s: %w", epoch, ex.Device, err)
		}
		if _, err := w.exec(`INSERT INTO device_rewards (device, epoch, payout, cumulative, reports, valid, explanation) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (device, epoch) DO UPDATE SET payout = excluded.payout, cumulative = excluded.cumulative, reports = excluded.reports, valid = excluded.valid, explanation = excluded.explanation`,
			ex.Device, int64(epoch), pay, cum, len(ex.Reports), valid, string(r)); err != nil {
			return err
		}
		// The device's hexes on the map are paid what it was paid.
		var coarse, mid string
		var lastEpoch, lastPayout int64
		err = w.scanRow(`SELECT hex_coarse, hex_mid, last_epoch, last_payout FROM devices WHERE address = ?`, []any{ex.Device}, &coarse, &mid, &lastEpoch, &lastPayout)
		if errors.Is(err, sql.ErrNoRows) || err == nil && lastEpoch >= int64(epoch) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE devices SET last_epoch = ?, last_payout = ?, total_payout = total_payout + ? WHERE address = ?`,
			int64(epoch), pay, pay, ex.Device); err != nil {
			return err
		}
		w.addHexes(coarse, mid, 0, pay-lastPayout)
	}
	for _, c := range sum.ByReason {
		n, err := i64(c.Count)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO epoch_reasons (epoch, role, reason, count) VALUES (?, ?, ?, ?) ON CONFLICT (epoch, role, reason) DO UPDATE SET count = excluded.count`,
			int64(epoch), c.Role, c.Reason, n); err != nil {
			return err
		}
	}
	if _, err := w.exec(`UPDATE epochs SET explained = 1, summary = ? WHERE number = ?`, string(summaryJSON), int64(epoch)); err != nil {
		return err
	}
	if err := w.flushTotals(); err != nil {
		return err
	}
	return w.commit()
}

// explainPending fetches and writes the explanations of settled epochs the
// oracle has published; an epoch it has not published yet is retried on
// the next round.
func (ix *Indexer) explainPending(ctx context.Context) error {
	if ix.oracle == nil {
		return nil
	}
	pending, err := ix.db.PendingEpochs(ctx)
	if err != nil {
		return err
	}
	for _, n := range pending {
		sum, err := ix.oracle.Summary(ctx, n)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		exps, err := ix.oracle.Explanations(ctx, n)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := ix.db.WriteExplanations(ctx, n, sum, exps); err != nil {
			return err
		}
		ix.log.Info("indexed epoch explanations", "epoch", n)
	}
	return nil
}

// ExplainOnce fetches and writes the explanations the oracle has published
// for settled epochs, once; Run does it after every sync.
func ExplainOnce(ctx context.Context, ix *Indexer) error { return ix.explainPending(ctx) }
