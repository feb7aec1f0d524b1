package indexer

import (
	"github.com/depin-network/depin/internal/ledger"
)

func init() {
	register("reward.epoch_end", func(c *evctx, e ledger.Event) error {
		em, err := i64(attrU64(e, "emission"))
		if err != nil {
			return err
		}
		_, err = c.w.exec(`INSERT INTO epochs (number, end_height, emission, settled_height, root, device_total, treasury, explained, summary)
			VALUES (?, ?, ?, 0, '', 0, 0, 0, '') ON CONFLICT (number) DO UPDATE SET end_height = excluded.end_height, emission = excluded.emission`,
			int64(attrU64(e, "epoch")), c.height, em)
		return err
	})
	register("reward.settled", func(c *evctx, e ledger.Event) error {
		em, err1 := i64(attrU64(e, "emission"))
		dt, err2 := i64(attrU64(e, "device_total"))
		tr, err3 := i64(attrU64(e, "treasury"))
		if err := firstErr(err1, err2, err3); err != nil {
			return err
		}
		_, err := c.w.exec(`INSERT INTO epochs (number, end_height, emission, settled_height, root, device_total, treasury, explained, summary)
			VALUES (?, 0, ?, ?, ?, ?, ?, 0, '') ON CONFLICT (number) DO UPDATE SET emission = excluded.emission, settled_height = excluded.settled_height,
			root = excluded.root, device_total = excluded.device_total, treasury = excluded.treasury`,
			int64(attrU64(e, "epoch")), em, c.height, attr(e, "root"), dt, tr)
		return err
	})
}
