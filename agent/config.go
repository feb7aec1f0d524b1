package agent

import (
	"fmt"
	"time"
)

// ClientConfig holds a Client's settings. Start from DefaultClientConfig.
type ClientConfig struct {
	// URL is the ingest service's base URL, e.g. "http://127.0.0.1:9090".
	URL string `toml:"url"`
	// Protocol is "connect" (binary), "json" (Connect JSON over HTTP/1.1)
	// or "grpc".
	Protocol string `toml:"protocol"`
	// BatchSize is the most reports in one request; it must not exceed
	// the server's max_batch (ingest default 4096).
	BatchSize int `toml:"batch_size"`
	// FlushInterval is the longest a queued report waits for its batch to
	// fill. Helium accepts a witness at most 4 s after its beacon
	// (reference/helium.md §1.4), so keep it well below that.
	FlushInterval time.Duration `toml:"flush_interval"`
	// QueueSize bounds the reports waiting to be sent.
	QueueSize int `toml:"queue_size"`
	// Timeout bounds one attempt of a request.
	Timeout time.Duration `toml:"timeout"`
	// InitialBackoff is the base wait before the first retry; it doubles
	// per retry up to MaxBackoff.
	InitialBackoff time.Duration `toml:"initial_backoff"`
	MaxBackoff     time.Duration `toml:"max_backoff"`
	// MaxAttempts bounds the attempts of one request; 0 retries until the
	// context ends.
	MaxAttempts int `toml:"max_attempts"`
}

// DefaultClientConfig returns settings for one device talking to a local
// ingest service.
func DefaultClientConfig() ClientConfig {
	return ClientConfig{
		URL:            "http://127.0.0.1:9090",
		Protocol:       ProtocolConnect,
		BatchSize:      256,
		FlushInterval:  500 * time.Millisecond,
		QueueSize:      4096,
		Timeout:        10 * time.Second,
		InitialBackoff: 200 * time.Millisecond,
		MaxBackoff:     30 * time.Second,
		MaxAttempts:    8,
	}
}

// Validate reports the first unusable setting.
func (c ClientConfig) Validate() error {
	switch {
	case !validURL(c.URL):
		return fmt.Errorf("agent: client config: url %q is not an http or https URL", c.URL)
	case c.Protocol != ProtocolConnect && c.Protocol != ProtocolJSON && c.Protocol != ProtocolGRPC:
		return fmt.Errorf("agent: client config: protocol %q is not connect, json or grpc", c.Protocol)
	case c.BatchSize <= 0:
		return fmt.Errorf("agent: client config: batch_size must be positive")
	case c.FlushInterval <= 0:
		return fmt.Errorf("agent: client config: flush_interval must be positive")
	case c.QueueSize <= 0:
		return fmt.Errorf("agent: client config: queue_size must be positive")
	case c.Timeout <= 0:
		return fmt.Errorf("agent: client config: timeout must be positive")
	case c.InitialBackoff <= 0 || c.MaxBackoff < c.InitialBackoff:
		return fmt.Errorf("agent: client config: need 0 < initial_backoff <= max_backoff")
	case c.MaxAttempts < 0:
		return fmt.Errorf("agent: client config: max_attempts must not be negative")
	}
	return nil
}
