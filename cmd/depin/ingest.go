package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/ingest"
)

// newIngestCmds builds the commands of this file; the root command adds them.
func newIngestCmds() []*cobra.Command {
	c := &cobra.Command{
		Use:   "ingest",
		Short: "Run the ingest service alone: signed device reports into the durable log and segments",
		Long: `ingest runs the report ingest service on its own, for scale-out. Settings come from the
[ingest] section of HOME/config/app.toml if present; flags override them. Relative paths are
taken from HOME; the data directory defaults to HOME/data/ingest.

Inside 'depin start' ingest reads devices and entropy from the node's chain state. Alone it
needs a chain connection, which is not available yet: use --dev to accept every device key
and answer a local entropy clock (one block per second), for development and load tests.`,
		RunE: runIngest,
	}
	f := c.Flags()
	f.String("listen", "", "listen address (default 127.0.0.1:9090)")
	f.String("nats-url", "", "external NATS server URL (default: embedded)")
	f.String("sync", "", "fsync policy of the embedded log: batch, always or interval")
	f.Bool("dev", false, "accept every device and use a local entropy clock (development only)")
	f.Int64("epoch-blocks", 3600, "blocks per epoch for --dev")
	return []*cobra.Command{c}
}

// ingestConfig loads the [ingest] section of HOME/config/app.toml over the
// defaults.
func ingestConfig(home string) (ingest.Config, error) {
	file := struct {
		Ingest ingest.Config `toml:"ingest"`
	}{Ingest: ingest.DefaultConfig()}
	file.Ingest.DataDir = filepath.Join("data", "ingest")
	path := filepath.Join(home, "config", "app.toml")
	if _, err := os.Stat(path); err == nil {
		if _, err := toml.DecodeFile(path, &file); err != nil {
			return ingest.Config{}, fmt.Errorf("ingest: read %s: %w", path, err)
		}
	}
	cfg := file.Ingest
	if !filepath.IsAbs(cfg.DataDir) {
		cfg.DataDir = filepath.Join(home, cfg.DataDir)
	}
	return cfg, nil
}

func runIngest(cmd *cobra.Command, _ []string) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := ingestConfig(homeDir(cmd))
	if err != nil {
		return err
	}
	flags := cmd.Flags()
	if v, _ := flags.GetString("listen"); v != "" {
		cfg.ListenAddr = v
	}
	if v, _ := flags.GetString("nats-url"); v != "" {
		cfg.NATSURL = v
	}
	if v, _ := flags.GetString("sync"); v != "" {
		cfg.Sync = v
	}
	dev, _ := flags.GetBool("dev")
	if !dev {
		return errors.New("ingest: running alone needs a chain connection; run it inside 'depin start', or pass --dev")
	}
	epochBlocks, _ := flags.GetInt64("epoch-blocks")
	if epochBlocks <= 0 {
		return errors.New("ingest: --epoch-blocks must be positive")
	}
	logger.Warn("ingest: dev mode: every device key is accepted and entropy is a local clock")
	deps := ingest.Deps{
		Registry:  openRegistry{},
		Kinds:     chain.Kinds(),
		Entropy:   clockEntropy{now: time.Now},
		Epochs:    ingest.FixedEpochs{Length: epochBlocks},
		Committer: logCommitter{logger: logger},
	}
	svc, err := ingest.New(cfg, deps, logger)
	if err != nil {
		return err
	}
	defer svc.Close()
	fmt.Fprintf(cmd.OutOrStdout(), "ingest listening on http://%s\n", svc.Addr())
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := svc.Run(ctx); err != nil {
		return err
	}
	return svc.Close()
}

// openRegistry accepts every device key (--dev only).
type openRegistry struct{}

func (openRegistry) Device([]byte) (ingest.DeviceInfo, bool) { return ingest.DeviceInfo{}, true }

// clockEntropy is a local chain of one block per second since the Unix
// epoch, each hash SHA-256("depin/dev-entropy" || height) (--dev only).
type clockEntropy struct{ now func() time.Time }

func (e clockEntropy) Height() int64 { return e.now().Unix() }

func (e clockEntropy) BlockHash(h int64) ([]byte, bool) {
	if h <= 0 || h > e.Height() {
		return nil, false
	}
	s := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/dev-entropy"), uint64(h)))
	return s[:], true
}

// logCommitter logs segment commitments instead of sending them (--dev only).
type logCommitter struct{ logger *slog.Logger }

func (c logCommitter) Commit(_ context.Context, cm ingest.Commitment) error {
	c.logger.Info("ingest: segment commitment", "epoch", cm.Epoch, "hash", fmt.Sprintf("%x", cm.Hash), "root", fmt.Sprintf("%x", cm.MerkleRoot), "count", cm.Count)
	return nil
}
