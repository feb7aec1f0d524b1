package node

import (
	"context"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/depin-network/depin/internal/ledger"
)

// eventCounters name the ledger events counted as their own series: the
// figures an operator watches (docs/clients.md lists every series).
var eventCounters = []struct{ event, name, help string }{
	{"proof.segment", "depin_segments_committed_total", "Report segments whose Merkle roots were committed on the ledger."},
	{"epoch.end", "depin_epochs_ended_total", "Epochs closed by the epoch clock."},
	{"reward.submit", "depin_oracle_submissions_total", "Oracle root submissions accepted by the ledger."},
	{"reward.settled", "depin_epochs_settled_total", "Reward epochs settled by an oracle quorum agreeing on one root."},
	{"reward.disagreement", "depin_oracle_disagreements_total", "Oracle submissions whose root differs from another oracle's for the same epoch."},
	{"reward.claim", "depin_reward_claims_total", "Reward claims paid to device owners."},
	{"market.lease", "depin_market_leases_opened_total", "Market leases opened."},
	{"market.lease_closed", "depin_market_leases_closed_total", "Market leases closed (escrow dry, by either party, or expired)."},
	{"market.receipt", "depin_market_receipts_total", "Usage receipts accepted by the market."},
	{"credits.buy", "depin_credit_purchases_total", "Credit purchases (tokens burned for credits)."},
	{"stake.delegate", "depin_stake_delegations_total", "Delegations to validators."},
	{"stake.slash", "depin_stake_slashes_total", "Validators slashed (double signing or downtime)."},
	{"gov.submit", "depin_gov_proposals_total", "Governance proposals submitted."},
	{"gov.vote", "depin_gov_votes_total", "Governance votes cast."},
}

// Metrics are the node's Prometheus series, served on the JSON API's
// /metrics. They are measured at the ABCI boundary, outside the
// deterministic state machine.
type Metrics struct {
	reg       *prometheus.Registry
	blockTime prometheus.Histogram
	height    prometheus.Gauge
	txs       *prometheus.CounterVec
	events    *prometheus.CounterVec
	byEvent   map[string]prometheus.Counter
	checkFail prometheus.Counter
}

// NewMetrics builds the node's series; mempool, if not nil, reports the
// number of transactions in the mempool at each scrape.
func NewMetrics(mempool func() int) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		blockTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "depin_block_execution_seconds",
			Help:    "Time the state machine takes to execute a block (FinalizeBlock).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		height: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "depin_block_height",
			Help: "Height of the last block executed.",
		}),
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "depin_txs_total",
			Help: "Transactions executed in blocks, by result code name (ok, insufficient_funds, ...).",
		}, []string{"code"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "depin_events_total",
			Help: "Ledger events emitted by executed blocks and transactions, by event type.",
		}, []string{"type"}),
		byEvent: map[string]prometheus.Counter{},
		checkFail: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "depin_mempool_check_failures_total",
			Help: "Mempool checks that failed inside the node (an error or a panic in CheckTx), each refused with check_failed and logged.",
		}),
	}
	m.reg.MustRegister(m.blockTime, m.height, m.txs, m.events, m.checkFail,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, e := range eventCounters {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: e.name, Help: e.help})
		m.reg.MustRegister(c)
		m.byEvent[e.event] = c
	}
	if mempool != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "depin_mempool_txs",
			Help: "Transactions waiting in the mempool.",
		}, func() float64 { return float64(mempool()) }))
	}
	return m
}

// Registry is the registry to serve.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) countEvents(evs []abcitypes.Event) {
	for _, e := range evs {
		m.events.WithLabelValues(e.Type).Inc()
		if c, ok := m.byEvent[e.Type]; ok {
			c.Inc()
		}
	}
}

// measuredApp measures blocks as they pass to the application.
type measuredApp struct {
	abcitypes.Application
	m *Metrics
}

// Unwrap returns the measured application, so that the node's ABCI client
// finds the methods it has beyond abcitypes.Application (DryCheckTx,
// PreVerifyTxs).
func (a measuredApp) Unwrap() abcitypes.Application { return a.Application }

func (a measuredApp) FinalizeBlock(ctx context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	start := time.Now()
	res, err := a.Application.FinalizeBlock(ctx, req)
	if err != nil {
		return res, err
	}
	a.m.blockTime.Observe(time.Since(start).Seconds())
	a.m.height.Set(float64(req.Height))
	a.m.countEvents(res.Events)
	for _, r := range res.TxResults {
		a.m.txs.WithLabelValues(ledger.Code(r.Code).String()).Inc()
		a.m.countEvents(r.Events)
	}
	return res, nil
}
