package provider

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	reg                                  *prometheus.Registry
	uploads, uploadBytes, uploadRejected prometheus.Counter
	downloads, downloadBytes             prometheus.Counter
	proofs, proofErrors, acks, bids      prometheus.Counter
	receipts                             prometheus.Counter
	used                                 prometheus.GaugeFunc
}

func newMetrics(used func() float64) *metrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "depin", Subsystem: "storage_provider", Name: name, Help: help})
	}
	m := &metrics{
		reg:            prometheus.NewRegistry(),
		uploads:        c("uploads_total", "Shards accepted and kept."),
		uploadBytes:    c("upload_bytes_total", "Bytes of shards accepted."),
		uploadRejected: c("uploads_rejected_total", "Uploads refused: malformed, too large, or not matching their root."),
		downloads:      c("downloads_total", "Shards served."),
		downloadBytes:  c("download_bytes_total", "Bytes of shards served."),
		proofs:         c("proofs_total", "Challenges answered on chain."),
		proofErrors:    c("proof_errors_total", "Challenges this provider could not answer (missing shard, failed transaction)."),
		acks:           c("acks_total", "Uploads acknowledged on chain."),
		bids:           c("bids_total", "Bids placed on storage orders."),
		receipts:       c("receipts_total", "Consumers' egress receipts submitted on chain."),
		used: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "depin", Subsystem: "storage_provider", Name: "used_bytes",
			Help: "Bytes of shards kept on disk."}, used),
	}
	m.reg.MustRegister(m.uploads, m.uploadBytes, m.uploadRejected, m.downloads, m.downloadBytes, m.proofs, m.proofErrors,
		m.acks, m.bids, m.receipts, m.used)
	return m
}
