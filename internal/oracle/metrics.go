package oracle

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/depin-network/depin/internal/score"
)

// metrics are the oracle's Prometheus series, served on its API's
// /metrics (docs/clients.md lists them).
type metrics struct {
	reg        *prometheus.Registry
	scored     prometheus.Counter
	duration   prometheus.Histogram
	submitted  prometheus.Counter
	stepErrors prometheus.Counter
	lastEpoch  prometheus.Gauge
	reports    *prometheus.CounterVec
	paid       prometheus.Gauge
	refused    *prometheus.CounterVec
	recovered  prometheus.Counter
	blocked    prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		scored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "oracle_epochs_scored_total", Help: "Epochs scored by this oracle.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "oracle_epoch_score_seconds", Help: "Time to fetch, verify and score one epoch.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
		}),
		submitted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "oracle_roots_submitted_total", Help: "Reward roots this oracle submitted to the ledger.",
		}),
		stepErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "oracle_step_errors_total", Help: "Failed scoring or submission attempts (retried at the next poll).",
		}),
		lastEpoch: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "oracle_last_scored_epoch", Help: "The last epoch this oracle scored.",
		}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "oracle_reports_scored_total", Help: "Reports scored, by result: valid, invalid, malformed, forged.",
		}, []string{"result"}),
		paid: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "oracle_devices_paid", Help: "Devices paid in the last scored epoch.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "oracle_prior_refusals_total",
			Help: "Times the oracle would not score the next epoch, by reason: unsettled (the previous epoch is not settled), prior_mismatch (its settled result is not available).",
		}, []string{"reason"}),
		recovered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "oracle_prior_recoveries_total", Help: "Settled results of a previous epoch loaded from a peer because this oracle's own differed or was missing.",
		}),
		blocked: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "oracle_blocked", Help: "1 while the oracle waits for, or cannot load, the previous epoch's settled result.",
		}),
	}
	m.reg.MustRegister(m.scored, m.duration, m.submitted, m.stepErrors, m.lastEpoch, m.reports, m.paid, m.refused, m.recovered, m.blocked,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) epochScored(sum score.Summary, took time.Duration) {
	m.scored.Inc()
	m.duration.Observe(took.Seconds())
	m.lastEpoch.Set(float64(sum.Epoch))
	m.reports.WithLabelValues("valid").Add(float64(sum.Valid))
	m.reports.WithLabelValues("invalid").Add(float64(sum.Invalid))
	m.reports.WithLabelValues("malformed").Add(float64(sum.Malformed))
	m.reports.WithLabelValues("forged").Add(float64(sum.Forged))
	m.paid.Set(float64(sum.DevicesPaid))
}
