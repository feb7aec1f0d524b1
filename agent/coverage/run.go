package coverage

import (
	"context"
	"errors"
	"fmt"
	"github.com/depin-network/depin/agent"
	"log/slog"
	"time"
)

// Config is one device's agent: its key and nonce state files, its device
// settings and its ingest client settings. Start from DefaultConfig.
type Config struct {
	// KeyFile is the device key file (see LoadKey).
	KeyFile string `toml:"key_file"`
	// StateFile holds the nonce reservation (see NonceStore).
	StateFile string `toml:"state_file"`
	// NonceBlock is how many nonces one fsync of the state file reserves.
	NonceBlock uint64 `toml:"nonce_block"`
	// ShutdownGrace bounds the time spent sending queued reports after
	// the context ends.
	ShutdownGrace time.Duration `toml:"shutdown_grace"`
	// DeviceConfig holds region, cell and intervals (inline in TOML).
	DeviceConfig
	// Ingest configures the client.
	Ingest agent.ClientConfig `toml:"ingest"`
	// Logger receives structured logs (slog.Default if nil).
	Logger *slog.Logger `toml:"-"`
}

// DefaultConfig returns the defaults of every section.
func DefaultConfig() Config {
	return Config{
		KeyFile:       "device_key.json",
		StateFile:     "device_state.json",
		NonceBlock:    agent.DefaultNonceBlock,
		ShutdownGrace: 5 * time.Second,
		DeviceConfig:  DefaultDeviceConfig(),
		Ingest:        agent.DefaultClientConfig(),
	}
}

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	switch {
	case c.KeyFile == "":
		return errors.New("agent: config: key_file is empty")
	case c.StateFile == "":
		return errors.New("agent: config: state_file is empty")
	case c.ShutdownGrace < 0:
		return errors.New("agent: config: shutdown_grace must not be negative")
	}
	if err := c.DeviceConfig.Validate(); err != nil {
		return err
	}
	return c.Ingest.Validate()
}

// Run runs one device until ctx ends: it loads the key and the nonce state,
// runs the client's send loop and the device loop (beacons, witnesses,
// heartbeats), and when ctx ends sends what is still queued for at most
// ShutdownGrace. client must have been made for this device alone (for a
// gateway sharing one client among devices, run Client.Run and one
// Device.Run per device instead). Run returns nil after a shutdown by ctx.
func Run(ctx context.Context, cfg Config, radio Radio, client *agent.Client) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	key, err := agent.LoadKey(cfg.KeyFile)
	if err != nil {
		return err
	}
	nonces, err := agent.OpenNonceStore(cfg.StateFile, cfg.NonceBlock, nil)
	if err != nil {
		return err
	}
	dev, err := NewDevice(cfg.DeviceConfig, agent.NewBuilder(key, nonces, nil), radio, client, DeviceOptions{Logger: logger})
	if err != nil {
		return err
	}
	logger.Info("agent: starting", "device", key.Address().String(), "ingest", cfg.Ingest.URL, "protocol", cfg.Ingest.Protocol)

	cctx, stopClient := context.WithCancel(context.Background())
	clientDone := make(chan error, 1)
	go func() { clientDone <- client.Run(cctx) }()
	runErr := dev.Run(ctx)
	stopClient()
	<-clientDone

	fctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if n := client.Pending(); n > 0 {
		logger.Info("agent: sending queued reports", "reports", n)
	}
	if err := client.Flush(fctx); err != nil {
		logger.Warn("agent: reports left unsent at shutdown", "reports", client.Pending(), "err", err)
	}
	logger.Info("agent: stopped", "stats", fmt.Sprintf("%+v", client.Stats()))
	if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
		if ctx.Err() != nil {
			return nil
		}
	}
	return runErr
}
