package explorer

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/depin-network/depin/internal/indexer"
)

// metrics are the explorer's Prometheus series (docs/clients.md): requests
// and their latency per page, and how far the indexer it reads has come.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(db *indexer.DB) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "explorer_requests_total",
			Help: "Explorer requests answered, by page and HTTP status code.",
		}, []string{"page", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "explorer_request_duration_seconds",
			Help:    "Time to answer an explorer request, by page.",
			Buckets: []float64{0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5},
		}, []string{"page"}),
	}
	height := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "explorer_indexed_height",
		Help: "Height of the last block the indexer has written (-1 when the database does not answer).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		h, err := db.Cursor(ctx)
		if err != nil {
			return -1
		}
		return float64(h)
	})
	m.reg.MustRegister(m.requests, m.duration, height,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the series.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// instrument counts and times the requests h answers under the label page
// (a fixed set: one per route, never the request's path).
// The page's series start at zero, so that they exist before its first
// request (Prometheus' advice for labelled series).
func (m *metrics) instrument(page string, h http.Handler) http.Handler {
	m.requests.WithLabelValues(page, "200")
	m.duration.WithLabelValues(page)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		m.requests.WithLabelValues(page, strconv.Itoa(rec.code)).Inc()
		m.duration.WithLabelValues(page).Observe(time.Since(start).Seconds())
	})
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Flush passes streaming flushes through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
