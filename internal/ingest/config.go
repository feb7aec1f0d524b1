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
	// embedded server that listens on no port, reached through an
	// in-process connection only, so no other process can touch the log.
	NATSURL string `toml:"nats_url"`
	// An external server must be reached with credentials: a NATS
	// credentials file (NATSCreds, JWT and nkey seed), an nkey seed file
	// (NATSNKey), a user and a file holding its password (NATSUser,
	// NATSPasswordFile), or a TLS client certificate (NATSTLSCert and
	// NATSTLSKey). NATSTLSCA verifies the server's certificate. Only
	// NATSInsecure = true allows an external server without credentials
	// (a throwaway test cluster); anyone who can publish to the log can
	// forge reports that pass for accepted ones.
	NATSCreds        string `toml:"nats_creds"`
	NATSNKey         string `toml:"nats_nkey"`
	NATSUser         string `toml:"nats_user"`
	NATSPasswordFile string `toml:"nats_password_file"`
	NATSTLSCA        string `toml:"nats_tls_ca"`
	NATSTLSCert      string `toml:"nats_tls_cert"`
	NATSTLSKey       string `toml:"nats_tls_key"`
	NATSInsecure     bool   `toml:"nats_insecure"`
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
	// ConnRate and ConnBurst are the same for all the reports sent over one
	// connection, whatever their devices, so that one client cannot take
	// the service's verification capacity (0 ConnRate: no limit, for load
	// tests).
	ConnRate  uint64 `toml:"conn_rate"`
	ConnBurst uint64 `toml:"conn_burst"`
	// EntropyWindow is how many blocks behind the chain head a report's
	// entropy may be.
	EntropyWindow int64 `toml:"entropy_window"`
	// MaxTimestampSkew bounds how far a report's device timestamp may be
	// from ingest's clock, either way (BAD_TIMESTAMP beyond).
	MaxTimestampSkew time.Duration `toml:"max_timestamp_skew"`
	// ReadTimeout bounds reading a whole request, body included (a client
	// sending 1 byte per second is cut off), WriteTimeout writing its
	// answer, IdleTimeout an idle keep-alive connection: the JSON API's
	// values, with time to write a segment of up to SegmentSize records.
	ReadTimeout  time.Duration `toml:"read_timeout"`
	WriteTimeout time.Duration `toml:"write_timeout"`
	IdleTimeout  time.Duration `toml:"idle_timeout"`
	// SegmentSize is the most reports in one segment; SegmentMaxAge cuts a
	// shorter segment once its first report is that old.
	SegmentSize   int           `toml:"segment_size"`
	SegmentMaxAge time.Duration `toml:"segment_max_age"`
	// SegmentPublicGrace is how long after ingest saw the chain leave an
	// epoch its segments become public; before, only oracles read them
	// (access.go). It must exceed the coverage witness window.
	SegmentPublicGrace time.Duration `toml:"segment_public_grace"`
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
		// One connection may carry a gateway's many devices: 20k reports
		// per second (a fifth of the ingest target, DESIGN §4) with a
		// burst of two full batches.
		ConnRate:  20_000,
		ConnBurst: 2 * 4096,
		// Helium's verifiers trust the receive time, not the device's
		// clock (reference/helium.md §4.2); the device clock only has to be
		// roughly right. Ten minutes covers a gateway without GPS fix.
		MaxTimestampSkew: 10 * time.Minute,
		ReadTimeout:      30 * time.Second,
		WriteTimeout:     2 * time.Minute,
		IdleTimeout:      120 * time.Second,
		SegmentSize:      65536,
		// Helium ingest rolls report files every 5 minutes
		// (oracles file_store, reference/helium.md §4.3); one minute here.
		SegmentMaxAge: time.Minute,
		// Well past the longest witness window governance can set
		// (coverage witness_delay_ns, at most a minute).
		SegmentPublicGrace: 2 * time.Minute,
		KeyCache:           16384,
		AckTimeout:         10 * time.Second,
		// About ten seconds of reports at 100k/s; replaying them on start
		// takes a few seconds.
		SnapshotRecords: 1 << 20,
	}
}

// maxBurst keeps a token bucket's capacity in nanotokens within uint64.
const maxBurst = 1_000_000_000

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
	case c.Burst > maxBurst || c.ConnBurst > maxBurst:
		return fmt.Errorf("ingest: config: burst and conn_burst must be at most %d", maxBurst)
	case c.ConnRate > 0 && c.ConnBurst == 0:
		return fmt.Errorf("ingest: config: conn_burst must be positive with a conn_rate")
	case c.MaxTimestampSkew <= 0:
		return fmt.Errorf("ingest: config: max_timestamp_skew must be positive")
	case c.ReadTimeout <= 0 || c.WriteTimeout <= 0 || c.IdleTimeout <= 0:
		return fmt.Errorf("ingest: config: read_timeout, write_timeout and idle_timeout must be positive")
	case c.EntropyWindow < 0:
		return fmt.Errorf("ingest: config: entropy_window must not be negative")
	case c.SegmentSize <= 0:
		return fmt.Errorf("ingest: config: segment_size must be positive")
	case c.SegmentPublicGrace <= 0:
		return fmt.Errorf("ingest: config: segment_public_grace must be positive")
	case c.SegmentMaxAge <= 0:
		return fmt.Errorf("ingest: config: segment_max_age must be positive")
	case c.KeyCache < 0:
		return fmt.Errorf("ingest: config: key_cache must not be negative")
	case c.AckTimeout <= 0:
		return fmt.Errorf("ingest: config: ack_timeout must be positive")
	case c.SnapshotRecords <= 0:
		return fmt.Errorf("ingest: config: snapshot_records must be positive")
	}
	return c.validateNATS()
}

// validateNATS checks the external server's credential settings.
func (c Config) validateNATS() error {
	creds := c.NATSCreds != "" || c.NATSNKey != "" || c.NATSUser != "" || c.NATSTLSCert != ""
	switch {
	case c.NATSURL == "" && (creds || c.NATSTLSCA != "" || c.NATSPasswordFile != "" || c.NATSTLSKey != "" || c.NATSInsecure):
		return fmt.Errorf("ingest: config: nats credentials and TLS settings apply to an external nats_url only; the embedded server takes no connections from outside the process")
	case c.NATSURL == "":
		return nil
	case btoi(c.NATSCreds != "")+btoi(c.NATSNKey != "")+btoi(c.NATSUser != "") > 1:
		return fmt.Errorf("ingest: config: set one of nats_creds, nats_nkey and nats_user")
	case c.NATSUser != "" && c.NATSPasswordFile == "":
		return fmt.Errorf("ingest: config: nats_user needs nats_password_file")
	case c.NATSUser == "" && c.NATSPasswordFile != "":
		return fmt.Errorf("ingest: config: nats_password_file needs nats_user")
	case (c.NATSTLSCert == "") != (c.NATSTLSKey == ""):
		return fmt.Errorf("ingest: config: nats_tls_cert and nats_tls_key go together")
	case !creds && !c.NATSInsecure:
		return fmt.Errorf("ingest: config: the external nats_url %s needs credentials (nats_creds, nats_nkey, nats_user with nats_password_file, or nats_tls_cert with nats_tls_key); set nats_insecure = true only for a throwaway test cluster", displayURL(c.NATSURL))
	}
	return nil
}
