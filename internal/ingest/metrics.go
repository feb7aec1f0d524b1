package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the service's Prometheus series, served on /metrics.
type metrics struct {
	reg      *prometheus.Registry
	reports  *prometheus.CounterVec
	segments prometheus.Counter
	records  prometheus.Counter
	// quarantined counts log messages skipped as undecodable or
	// inconsistent (quarantine.go).
	quarantined prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ingest_reports_total",
			Help: "Reports answered by ingest, by status.",
		}, []string{"status"}),
		segments: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_segments_total",
			Help: "Segments stored by the batcher.",
		}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_segment_records_total",
			Help: "Log records stored in segments.",
		}),
		quarantined: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_log_quarantined_total",
			Help: "Log messages skipped as undecodable or inconsistent; their records go into no segment.",
		}),
	}
	m.reg.MustRegister(m.reports, m.segments, m.records, m.quarantined)
	return m
}
