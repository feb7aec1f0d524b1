package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// This file is ingest's one NATS adapter: the Log on a JetStream stream, on
// an embedded server or an external one.

// maxPendingAcks bounds the asynchronous publishes awaiting acknowledgement;
// a publisher past it stalls for up to Config.AckTimeout.
const maxPendingAcks = 65536

// batchSubjectSuffix names the subject log messages are published on:
// Subject + ".batch".
const batchSubjectSuffix = ".batch"

// natsLog is the Log on a JetStream stream.
type natsLog struct {
	cfg    Config
	ns     *server.Server // nil with an external server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	syncer *syncer // set for the embedded server with Config.Sync "batch"
}

// openNATSLog connects to (or starts) the JetStream server and creates the
// stream if it does not exist. The embedded server does not listen on any
// port: ingest reaches it through an in-process connection, and no other
// process can publish to the log or use JetStream's API (issue 8 item 1).
// An external server is reached with the credentials and TLS settings of
// Config.
func openNATSLog(ctx context.Context, cfg Config, logger *slog.Logger) (*natsLog, error) {
	l := &natsLog{cfg: cfg}
	url := cfg.NATSURL
	copts := []nats.Option{nats.Name("depin-ingest"), nats.MaxReconnects(-1)}
	if url == "" {
		ns, err := startEmbedded(cfg)
		if err != nil {
			return nil, err
		}
		l.ns = ns
		copts = append(copts, nats.InProcessServer(ns))
	} else {
		auth, err := natsAuth(cfg)
		if err != nil {
			return nil, err
		}
		copts = append(copts, auth...)
	}
	nc, err := nats.Connect(url, copts...)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("ingest: connect to nats %s: %w", displayURL(url), err)
	}
	l.nc = nc
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(maxPendingAcks))
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("ingest: jetstream: %w", err)
	}
	l.js = js
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.Stream,
		Description: "depin device reports accepted by ingest",
		Subjects:    []string{cfg.Subject + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		// Never drop old reports: the high-water marks are recovered
		// from a snapshot plus the log after it, and the batcher cuts
		// every record into a segment.
		Discard: jetstream.DiscardNew,
	})
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("ingest: create stream %s: %w", cfg.Stream, err)
	}
	l.stream = st
	if l.ns != nil && cfg.Sync == SyncBatch {
		l.syncer = newSyncer(filepath.Join(cfg.DataDir, "jetstream", "jetstream", server.DEFAULT_GLOBAL_ACCOUNT, "streams", cfg.Stream, "msgs"))
	}
	logger.Info("ingest: log open", "external", l.ns == nil, "url", displayURL(url), "tls", cfg.NATSTLSCA != "" || cfg.NATSTLSCert != "",
		"credentials", cfg.NATSCreds != "" || cfg.NATSUser != "" || cfg.NATSNKey != "")
	return l, nil
}

// natsAuth returns the connection options of Config's credentials and TLS
// settings for an external server.
func natsAuth(cfg Config) ([]nats.Option, error) {
	var opts []nats.Option
	switch {
	case cfg.NATSCreds != "":
		opts = append(opts, nats.UserCredentials(cfg.NATSCreds))
	case cfg.NATSNKey != "":
		o, err := nats.NkeyOptionFromSeed(cfg.NATSNKey)
		if err != nil {
			return nil, fmt.Errorf("ingest: nats nkey %s: %w", cfg.NATSNKey, err)
		}
		opts = append(opts, o)
	case cfg.NATSUser != "":
		pw, err := readSecretFile(cfg.NATSPasswordFile)
		if err != nil {
			return nil, fmt.Errorf("ingest: nats password: %w", err)
		}
		opts = append(opts, nats.UserInfo(cfg.NATSUser, pw))
	}
	if cfg.NATSTLSCA != "" {
		opts = append(opts, nats.RootCAs(cfg.NATSTLSCA))
	}
	if cfg.NATSTLSCert != "" {
		opts = append(opts, nats.ClientCert(cfg.NATSTLSCert, cfg.NATSTLSKey))
	}
	return opts, nil
}

// displayURL is a server URL (or a comma-separated list of them) with any
// password masked, for logs and errors.
func displayURL(s string) string {
	if s == "" {
		return "embedded"
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			parts[i] = "(unparsable url)"
			continue
		}
		if u.User != nil {
			u.User = url.User("redacted")
		}
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}

// readSecretFile reads a secret from a file, without a final newline.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func startEmbedded(cfg Config) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "depin-ingest",
		// No client, cluster, leaf, gateway, websocket, MQTT or monitoring
		// listener: the in-process connection is the only way in.
		DontListen:   true,
		JetStream:    true,
		StoreDir:     filepath.Join(cfg.DataDir, "jetstream"),
		SyncInterval: cfg.SyncInterval,
		SyncAlways:   cfg.Sync == SyncAlways,
		NoLog:        true,
		NoSigs:       true,
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("ingest: start embedded nats: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("ingest: start embedded nats: not ready after 30s")
	}
	return ns, nil
}

// natsAppended is a JetStream publish awaiting its acknowledgement.
type natsAppended struct{ f jetstream.PubAckFuture }

func (a natsAppended) Wait(ctx context.Context) (uint64, error) {
	select {
	case ack := <-a.f.Ok():
		return ack.Sequence, nil
	case err := <-a.f.Err():
		return 0, err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Append implements Log with an asynchronous publish.
func (l *natsLog) Append(data []byte) (Appended, error) {
	f, err := l.js.PublishAsync(l.cfg.Subject+batchSubjectSuffix, data, jetstream.WithStallWait(l.cfg.AckTimeout))
	if err != nil {
		return nil, err
	}
	return natsAppended{f}, nil
}

// MaxMessageBytes implements Log: the server's max_payload (1 MB by
// default), less room for the protocol line.
func (l *natsLog) MaxMessageBytes() int {
	return max(int(l.nc.MaxPayload())-1024, 4096)
}

// Sync implements Log: an fsync of the embedded stream's files under
// Config.Sync "batch", nothing otherwise.
func (l *natsLog) Sync() error {
	if l.syncer == nil {
		return nil
	}
	return l.syncer.Sync()
}

// Bounds implements Log.
func (l *natsLog) Bounds(ctx context.Context) (first, last uint64, err error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest: stream info: %w", err)
	}
	if info.State.Msgs == 0 {
		return 0, info.State.LastSeq, nil
	}
	return info.State.FirstSeq, info.State.LastSeq, nil
}

// Read implements Log with an ordered consumer.
func (l *natsLog) Read(ctx context.Context, start uint64) (Cursor, error) {
	cons, err := l.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   max(start, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: read log: consumer: %w", err)
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, fmt.Errorf("ingest: read log: messages: %w", err)
	}
	return natsCursor{it}, nil
}

type natsCursor struct{ it jetstream.MessagesContext }

func (c natsCursor) Next(wait time.Duration) (Message, error) {
	msg, err := c.it.Next(jetstream.NextMaxWait(wait))
	if errors.Is(err, nats.ErrTimeout) {
		return Message{}, fmt.Errorf("%w: %w", ErrNoMessage, err)
	}
	if err != nil {
		return Message{}, err
	}
	md, err := msg.Metadata()
	if err != nil {
		return Message{}, fmt.Errorf("ingest: read log: metadata: %w", err)
	}
	return Message{Seq: md.Sequence.Stream, Data: msg.Data(), Pending: md.NumPending}, nil
}

func (c natsCursor) Close() { c.it.Stop() }

// Close closes the connection and shuts the embedded server down.
func (l *natsLog) Close() error {
	var errs []error
	if l.nc != nil {
		if err := l.nc.FlushTimeout(5 * time.Second); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			errs = append(errs, fmt.Errorf("ingest: flush nats: %w", err))
		}
		l.nc.Close()
	}
	if l.ns != nil {
		l.ns.Shutdown()
		l.ns.WaitForShutdown()
	}
	return errors.Join(errs...)
}
