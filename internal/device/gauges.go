package device

import "github.com/depin-network/depin/internal/ledger"

// Gauges reports the active devices of each kind and the makers
// (app.Module.Gauges): a scan of the kind index's keys, no record decoded.
func Gauges(st ledger.Store) []ledger.Gauge {
	devices := ledger.Gauge{Name: "depin_devices", Help: "Active (not decommissioned) devices, by network kind.", Label: "kind"}
	p := prefix(tagKind)
	ledger.IteratePrefix(st, p, func(k, _ []byte) bool {
		rest := k[len(p):]
		if len(rest) == 0 || len(rest) < 1+int(rest[0]) {
			panic("device: corrupt kind index key")
		}
		kind := string(rest[1 : 1+int(rest[0])])
		if n := len(devices.Values); n > 0 && devices.Values[n-1].Label == kind {
			devices.Values[n-1].Value++
		} else {
			devices.Values = append(devices.Values, ledger.GaugeValue{Label: kind, Value: 1})
		}
		return true
	})
	var makers uint64
	ledger.IteratePrefix(st, prefix(tagMaker), func(_, _ []byte) bool { makers++; return true })
	return []ledger.Gauge{devices, ledger.SingleGauge("depin_device_makers", "Registered device makers.", makers)}
}
