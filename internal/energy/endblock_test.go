package energy

import (
	"testing"

	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// TestClearEmptyBook queues a zone to clear whose book holds no order,
// beside a zone with a real book: the end block must not panic, clears
// the empty zone with nothing traded under its own key, queues it to
// settle, and settles it without a line.
func TestClearEmptyBook(t *testing.T) {
	meters := []meterSpec{{"sun1", solarAttrs(8000)}, {"home", loadAttrs()}}
	e := newEnv(t, meters)
	iv := uint64(e.now/interval) + 2
	if err := e.order(energyv1.Side_SIDE_ASK, "sun1", iv, 500, 100); err != nil {
		t.Fatal(err)
	}
	if err := e.order(energyv1.Side_SIDE_BID, "home", iv, 500, 150); err != nil {
		t.Fatal(err)
	}
	// Zones on both sides of the real one, queued with empty books (and,
	// for one of them, no clearing record either).
	empty := []uint64{e.zone() - 1, e.zone() + 1}
	for _, z := range empty {
		e.st.Set(key(tagToClear, iz(iv, z)), []byte{})
	}
	putClearing(e.st, &energyv1.Clearing{Interval: iv, Zone: empty[1]})
	e.advance(start(iv)) // the gate closes: all three zones clear
	for _, z := range empty {
		c, ok := GetClearing(e.st, iv, z)
		if !ok || c.Interval != iv || c.Zone != z || c.TradedWh != 0 || c.Price != 0 {
			t.Errorf("empty zone %x: clearing %v (found %v)", z, c, ok)
		}
		if e.st.Get(key(tagToClear, iz(iv, z))) != nil || e.st.Get(key(tagToSettle, iz(iv, z))) == nil {
			t.Errorf("empty zone %x: still queued to clear, or not queued to settle", z)
		}
	}
	if c, _ := GetClearing(e.st, 0, 0); c.Interval != 0 || c.Height != 0 {
		t.Errorf("a clearing was written under interval 0, zone 0: %v", c)
	}
	if c, _ := GetClearing(e.st, iv, e.zone()); c.TradedWh != 500 {
		t.Errorf("the real zone traded %d Wh, want 500", c.TradedWh)
	}
	e.advance(start(iv+1) + 300)
	e.endBlock()
	for _, z := range empty {
		if c, _ := GetClearing(e.st, iv, z); !c.Settled || len(LinesOf(e.st, iv, z)) != 0 {
			t.Errorf("empty zone %x: settled %v with %d lines", z, c.Settled, len(LinesOf(e.st, iv, z)))
		}
	}
}
