package chain_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/depin-network/depin/internal/energy"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Energy commands of the scenario files (block time is the height in
// seconds; interval i spans [i × energy.interval_seconds, ...)):
//
//	tx <owner> device/assert-location device=<d> cell=<hex> attrs=energy [renewable=1]
//	tx <owner> energy/ask|energy/bid device=<d> interval=<i> wh=<n> price=<upin/kWh>
//	tx <any> energy/read device=<d> interval=<i> imported=<Wh> exported=<Wh> produced=<Wh> [nonce=<n>] [readsig=bad]
//	       (cumulative counters, signed with the device's key)
//	tx <holder> energy/retire certificate=<id>
//	dump energy   (clearings, their settlement lines, meters and certificates)

func (s *scenario) energyMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case energy.TypeAsk:
		return mustMarshal(&energyv1.MsgAsk{Device: s.addrBytes(a.take("device")), Interval: a.optU64("interval", 0), Wh: a.optU64("wh", 0),
			Price: a.optU64("price", 0)}), true
	case energy.TypeBid:
		return mustMarshal(&energyv1.MsgBid{Device: s.addrBytes(a.take("device")), Interval: a.optU64("interval", 0), Wh: a.optU64("wh", 0),
			Price: a.optU64("price", 0)}), true
	case energy.TypeRead:
		dev := a.take("device")
		s.addr(dev)
		key := keyFor(dev)
		iv := a.optU64("interval", 0)
		r := &kenergyv1.Read{Interval: iv, ImportedWh: a.optU64("imported", 0), ExportedWh: a.optU64("exported", 0),
			ProducedWh: a.optU64("produced", 0)}
		raw := mustMarshal(&reportv1.Report{PubKey: sig.PublicOf(key), Nonce: a.optU64("nonce", iv+1), Kind: kenergy.Name, Type: kenergy.TypeRead,
			Body: kenergy.EncodeRead(r)})
		signature := sig.Sign(key, segment.Domain, raw)
		if a.opt("readsig", "good") == "bad" {
			signature[0] ^= 1
		}
		return mustMarshal(&energyv1.MsgRead{Report: mustMarshal(&reportv1.SignedReport{Report: raw, Signature: signature})}), true
	case energy.TypeRetire:
		return mustMarshal(&energyv1.MsgRetire{Certificate: a.optU64("certificate", 0)}), true
	}
	return nil, false
}

// energyDump prints the clearings with their settlement lines, then the
// meters and certificates of every named account and device.
func (s *scenario) energyDump(b *strings.Builder, what string) bool {
	if what != "energy" {
		return false
	}
	st := s.app.Committed()
	for _, c := range energy.Clearings(st, 0, energy.MaxLimit) {
		fmt.Fprintf(b, "interval %d zone %s price=%d traded_wh=%d asks=%d bids=%d settled=%v\n", c.Interval, energy.ZoneString(c.Zone),
			c.Price, c.TradedWh, c.Asks, c.Bids, c.Settled)
		for _, l := range energy.LinesOf(st, c.Interval, c.Zone) {
			fmt.Fprintf(b, "  line %d %s %s account=%s device=%s order=%d wh=%d amount=%d\n", l.Seq, l.Kind, l.Reason,
				addrOf(l.Account), addrOf(l.Device), l.Order, l.Wh, l.Amount)
		}
	}
	for _, n := range s.sortedNames() {
		a := addrFor(n)
		if m, ok := energy.GetMeter(st, a); ok {
			fmt.Fprintf(b, "meter %s interval=%d imported=%d exported=%d produced=%d reads=%d\n", n, m.Interval, m.ImportedWh, m.ExportedWh, m.ProducedWh, m.Reads)
		}
		certs, consumed, retired := energy.Holdings(st, a)
		if len(certs) == 0 && consumed == 0 {
			continue
		}
		fmt.Fprintf(b, "holder %s consumed=%d retired=%d\n", n, consumed, retired)
		for _, c := range certs {
			fmt.Fprintf(b, "  certificate %d device=%s interval=%d wh=%d retired=%v\n", c.Id, addrOf(c.Device), c.Interval, c.Wh, c.Retired)
		}
	}
	return true
}

// sortedNames lists the scenario's key names in order (module accounts
// excluded: they hold no meters or certificates).
func (s *scenario) sortedNames() []string {
	seen := map[string]bool{}
	var out []string
	for a, n := range s.names {
		if addrFor(n).String() != a || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// assertAttributes encodes the attributes of a device/assert-location
// command: attrs=energy (a 100 kW connection at the asserted cell,
// renewable=1 for a producer), attrs=sensor (a weather station) or, by
// default, a coverage antenna (gain=, elevation=).
func (s *scenario) assertAttributes(cell uint64, a args) ([]byte, bool) {
	switch a.opt("attrs", "coverage") {
	case "energy":
		return energyAttrs(cell, a.opt("renewable", "0") == "1"), true
	case "sensor":
		return sensorAttrs(), true
	case "coverage":
		return nil, false
	}
	s.t.Fatalf("attrs= must be coverage, energy or sensor")
	return nil, false
}
