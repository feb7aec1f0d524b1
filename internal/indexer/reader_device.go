package indexer

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ledger"
)

// Map resolutions: the explorer aggregates devices by their parent cell at
// CoarseRes when zoomed out and at MidRes in between.
const (
	CoarseRes = 4
	MidRes    = 7
)

func init() {
	register("device.onboarded", onboarded)
	register("device.location_asserted", locationAsserted)
	register("device.transferred", func(c *evctx, e ledger.Event) error {
		_, err := c.w.exec(`UPDATE devices SET owner = ? WHERE address = ?`, attr(e, "to"), attr(e, "device"))
		return err
	})
	register("device.decommissioned", func(c *evctx, e ledger.Event) error {
		_, err := c.w.exec(`UPDATE devices SET status = 'decommissioned' WHERE address = ?`, attr(e, "device"))
		return err
	})
	register("device.denied", func(c *evctx, e ledger.Event) error {
		status := "active"
		if attr(e, "denied") == "true" {
			status = "denied"
		}
		_, err := c.w.exec(`UPDATE devices SET status = ? WHERE address = ? AND status <> 'decommissioned'`, status, attr(e, "device"))
		return err
	})
}

func onboarded(c *evctx, e ledger.Event) error {
	_, err := c.w.exec(`INSERT INTO devices (address, owner, maker, kind, serial, onboarded_height, status, cell, hex_coarse, hex_mid, located_height, last_epoch, last_payout, total_payout)
		VALUES (?, ?, ?, ?, ?, ?, 'active', '', '', '', 0, 0, 0, 0)
		ON CONFLICT (address) DO UPDATE SET owner = excluded.owner, maker = excluded.maker, kind = excluded.kind, serial = excluded.serial, onboarded_height = excluded.onboarded_height`,
		attr(e, "device"), attr(e, "owner"), attr(e, "maker"), attr(e, "kind"), attr(e, "serial"), c.height)
	return err
}

// cellPlace is where a cell is: its centre and its parents for the map.
type cellPlace struct {
	center      geo.LatLng
	coarse, mid string
}

func placeOf(cellHex string) (cellPlace, error) {
	cell, err := strconv.ParseUint(cellHex, 16, 64)
	if err != nil || !geo.IsValid(cell) {
		return cellPlace{}, fmt.Errorf("cell %q is not an H3 cell", cellHex)
	}
	ll, err := geo.Center(cell)
	if err != nil {
		return cellPlace{}, err
	}
	parent := func(res int) string {
		if geo.Resolution(cell) <= res {
			return cellHex
		}
		p, err := geo.Parent(cell, res)
		if err != nil {
			return cellHex
		}
		return strconv.FormatUint(p, 16)
	}
	return cellPlace{center: ll, coarse: parent(CoarseRes), mid: parent(MidRes)}, nil
}

func locationAsserted(c *evctx, e ledger.Event) error {
	dev, cellHex := attr(e, "device"), attr(e, "cell")
	p, err := placeOf(cellHex)
	if err != nil {
		return err
	}
	if _, err := c.w.exec(`INSERT INTO device_locations (device, height, tx_idx, ev_idx, cell, lat_e7, lng_e7, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		dev, c.height, c.txIdx, c.evIdx, cellHex, p.center.LatE7, p.center.LngE7, attr(e, "attributes")); err != nil {
		return err
	}
	// The device leaves its old hexes (if it was located) for the new ones,
	// taking its last payout along.
	var oldCoarse, oldMid string
	var payout int64
	err = c.w.scanRow(`SELECT hex_coarse, hex_mid, last_payout FROM devices WHERE address = ?`, []any{dev}, &oldCoarse, &oldMid, &payout)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := c.w.exec(`UPDATE devices SET cell = ?, lat_e7 = ?, lng_e7 = ?, hex_coarse = ?, hex_mid = ?, located_height = ? WHERE address = ?`,
		cellHex, p.center.LatE7, p.center.LngE7, p.coarse, p.mid, c.height, dev); err != nil {
		return err
	}
	c.w.addHexes(oldCoarse, oldMid, -1, -payout)
	c.w.addHexes(p.coarse, p.mid, 1, payout)
	return nil
}
