package ledger

// Gauge is a level a module reports for monitoring: the supply, the active
// leases, the bonded stake, the devices of each kind. The node reads a
// module's gauges from committed state when Prometheus scrapes it, never
// inside a block, and exports each as a Prometheus gauge named Name.
// A module's gauge function lists every gauge it has even on an empty
// state (with no values), so that docs can be generated from it.
type Gauge struct {
	// Name is the series name, depin_<module>_<what>.
	Name string
	// Help says what is measured, and in which unit.
	Help string
	// Label names the one label that splits the series ("kind",
	// "status"), or is empty.
	Label string
	// Values are the series' values: one with an empty Label when the
	// gauge has no label.
	Values []GaugeValue
}

// GaugeValue is one value of a gauge.
type GaugeValue struct {
	Label string
	Value uint64
}

// SingleGauge is a gauge with no label.
func SingleGauge(name, help string, v uint64) Gauge {
	return Gauge{Name: name, Help: help, Values: []GaugeValue{{Value: v}}}
}
