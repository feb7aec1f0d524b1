package ingest

import (
	"fmt"
	"time"
)

// Sync policies: when the log's data reaches stable storage relative to the
// acknowledgement of a report. See the package documentation.
const (
	// SyncBatch fsyncs the embedded stream's files once per submitted batch
	// (group commit across concurrent batches) before answering.
	SyncBatch = "batch"
	// SyncAlways makes the embedded JetStream server fsync every message
	// before it acknowledges it (nats-server SyncAlways).
	SyncAlways = "always"
	// SyncInterval leaves syncing to the embedded server's periodic sync
	// (Config.SyncInterval): an acknowledged report survives the process
	// being killed, but not the machine losing power.
	SyncInterval = "interval"
)

// Config holds the ingest service's settings. The zero value is not usable:
// start from DefaultConfig.
type Config struct {
	// ListenAddr is the host:port the HTTP server listens on (connect RPCs
	// and the segment endpoints).
	ListenAddr string `toml:"listen_addr"`
	// DataDir holds the embedded JetStream store (DataDir/jetstream) and the
	// segments (DataDir/segments).
	DataDir string `toml:"data_dir"`
	// NATSURL is an external NATS server with JetStream; empty runs an
	// embedded server on loopback with an in-process connection.
	NATSURL string `toml:"nats_url"`
	// Stream is the JetStream stream name; reports are published on
	// Subject + "." + hex(device public key).
	Stream  string `toml:"stream"`
	Subject string `toml:"subject"`
	// Sync is the fsync policy of the embedded server: "batch", "always" or
	// "interval". It is ignored with an external server, whose own
	// configuration (replicas, sync_interval) decides.
	Sync string `toml:"sync"`
	// SyncInterval is the embedded server's periodic fsync interval.
	SyncInterval time.Duration `toml:"sync_interval"`
	// MaxBatch is the most reports one SubmitBatch may carry; a larger
	// batch is refused whole.
	MaxBatch int `toml:"max_batch"`
	// MaxReportBytes bounds one signed report (report plus signature).
	MaxReportBytes int `toml:"max_report_bytes"`
	// Rate is the sustained reports per second a device may send, and Burst
	// the most it may send at once (token bucket).
	Rate  uint64 `toml:"rate"`
	Burst uint64 `toml:"burst"`
	// EntropyWindow is how many blocks behind the chain head a report's
	// entropy may be.
	EntropyWindow int64 `toml:"entropy_window"`
	// SegmentSize is the most reports in one segment; SegmentMaxAge cuts a
	// shorter segment once its first report is that old.
	SegmentSize   int           `toml:"segment_size"`
	SegmentMaxAge time.Duration `toml:"segment_max_age"`
	// KeyCache is how many expanded device public keys to keep (about
	// 1.5 KB each) to speed up signature verification; 0 disables it.
	KeyCache int `toml:"key_cache"`
	// AckTimeout bounds the wait for the log's acknowledgements of a batch.
	AckTimeout time.Duration `toml:"ack_timeout"`
	// SnapshotRecords is how many logged reports the batcher lets pass
	// between two snapshots of the devices' high-water marks (DataDir/marks),
	// or one per device in the snapshot if that is more. A start replays the
	// log after the last snapshot: at most about this many reports.
	SnapshotRecords int `toml:"snapshot_records"`
}

// DefaultConfig returns the settings of a single-machine node.
func DefaultConfig() Config {
	return Config{
		ListenAddr:   "127.0.0.1:9090",
		DataDir:      "data/ingest",
		Stream:       "DEPIN_REPORTS",
		Subject:      "depin.reports",
		Sync:         SyncBatch,
		SyncInterval: time.Second,
		// A batch of 1024 keeps batch verification near its best rate per
		// signature (reference/engineering.md §3) and a request near 200 KB.
		MaxBatch:       4096,
		MaxReportBytes: 2048,
		// Helium hotspots beacon every 6 h and witness a few beacons a
		// minute (reference/helium.md §1.2); 1/s with a burst of 120 leaves
		// room for gateways relaying several radios.
		Rate:  1,
		Burst: 120,
		// Helium accepts reports for 180 s after the entropy
		// (ENTROPY_LIFESPAN, oracles iot_verifier/src/entropy.rs); at about
		// one block per second that is 180 blocks.
		EntropyWindow: 180,
		SegmentSize:   65536,
		// Helium ingest rolls report files every 5 minutes
		// (oracles file_store, reference/helium.md §4.3); one minute here.
		SegmentMaxAge: time.Minute,
		KeyCache:      16384,
		AckTimeout:    10 * time.Second,
		// About ten seconds of reports at 100k/s; replaying them on start
		// takes a few seconds.
		SnapshotRecords: 1 << 20,
	}
}

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	switch {
	case c.ListenAddr == "":
		return fmt.Errorf("ingest: config: listen_addr is empty")
	case c.DataDir == "":
		return fmt.Errorf("ingest: config: data_dir is empty")
	case c.Stream == "" || c.Subject == "":
		return fmt.Errorf("ingest: config: stream and subject must be set")
	case c.Sync != SyncBatch && c.Sync != SyncAlways && c.Sync != SyncInterval:
		return fmt.Errorf("ingest: config: sync %q is not batch, always or interval", c.Sync)
	case c.SyncInterval <= 0:
		return fmt.Errorf("ingest: config: sync_interval must be positive")
	case c.MaxBatch <= 0:
		return fmt.Errorf("ingest: config: max_batch must be positive")
	case c.MaxReportBytes <= 0:
		return fmt.Errorf("ingest: config: max_report_bytes must be positive")
	case c.Rate == 0 || c.Burst == 0:
		return fmt.Errorf("ingest: config: rate and burst must be positive")
	case c.EntropyWindow < 0:
		return fmt.Errorf("ingest: config: entropy_window must not be negative")
	case c.SegmentSize <= 0:
		return fmt.Errorf("ingest: config: segment_size must be positive")
	case c.SegmentMaxAge <= 0:
		return fmt.Errorf("ingest: config: segment_max_age must be positive")
	case c.KeyCache < 0:
		return fmt.Errorf("ingest: config: key_cache must not be negative")
	case c.AckTimeout <= 0:
		return fmt.Errorf("ingest: config: ack_timeout must be positive")
	case c.SnapshotRecords <= 0:
		return fmt.Errorf("ingest: config: snapshot_records must be positive")
	}
	return nil
}
