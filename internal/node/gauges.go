package node

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/depin-network/depin/internal/ledger"
)

// GaugeSource is what the module gauges are read from: a node's app.
type GaugeSource interface {
	// Committed returns the last committed state.
	Committed() ledger.Store
	// LastCommit returns the last committed height and app hash.
	LastCommit() (height int64, appHash []byte)
	// Gauges returns every module's gauges over st.
	Gauges(st ledger.Store) []ledger.Gauge
}

// gaugeCollector exports the modules' gauges (app.Module.Gauges) as
// Prometheus gauges, read from committed state when scraped and computed
// at most once per committed height. It is an unchecked collector: the
// modules decide their series.
type gaugeCollector struct {
	src    GaugeSource
	mu     sync.Mutex
	height int64
	gauges []ledger.Gauge
}

func (c *gaugeCollector) Describe(chan<- *prometheus.Desc) {}

func (c *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	if h, _ := c.src.LastCommit(); h != c.height || c.gauges == nil {
		c.gauges, c.height = c.src.Gauges(c.src.Committed()), h
	}
	gauges := c.gauges
	c.mu.Unlock()
	for _, g := range gauges {
		var labels []string
		if g.Label != "" {
			labels = []string{g.Label}
		}
		desc := prometheus.NewDesc(g.Name, g.Help, labels, nil)
		for _, v := range g.Values {
			var lv []string
			if g.Label != "" {
				lv = []string{v.Label}
			}
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(v.Value), lv...)
		}
	}
}

// WatchGauges exports src's module gauges on the node's /metrics.
func (m *Metrics) WatchGauges(src GaugeSource) {
	m.reg.MustRegister(&gaugeCollector{src: src})
}
