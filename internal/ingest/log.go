package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// maxPendingAcks bounds the asynchronous publishes awaiting acknowledgement;
// a publisher past it stalls for up to Config.AckTimeout.
const maxPendingAcks = 65536

// reportLog is the durable log: a JetStream stream with one subject per
// device, on an embedded server or an external one.
type reportLog struct {
	cfg    Config
	ns     *server.Server // nil with an external server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	syncer *syncer // set for the embedded server with Config.Sync "batch"
	log    *slog.Logger
}

// openLog connects to (or starts) the JetStream server and creates the
// stream if it does not exist.
func openLog(ctx context.Context, cfg Config, logger *slog.Logger) (*reportLog, error) {
	l := &reportLog{cfg: cfg, log: logger}
	url := cfg.NATSURL
	var copts []nats.Option
	if url == "" {
		ns, err := startEmbedded(cfg)
		if err != nil {
			return nil, err
		}
		l.ns = ns
		url = ns.ClientURL()
		copts = append(copts, nats.InProcessServer(ns))
	}
	copts = append(copts, nats.Name("depin-ingest"), nats.MaxReconnects(-1))
	nc, err := nats.Connect(url, copts...)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("ingest: connect to nats %s: %w", url, err)
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
	return l, nil
}

func startEmbedded(cfg Config) (*server.Server, error) {
	opts := &server.Options{
		ServerName:   "depin-ingest",
		Host:         "127.0.0.1",
		Port:         server.RANDOM_PORT,
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

// publishBatch appends a batch message asynchronously. The caller must wait
// for the future before acknowledging its reports.
func (l *reportLog) publishBatch(data []byte) (jetstream.PubAckFuture, error) {
	return l.js.PublishAsync(l.cfg.Subject+batchSubjectSuffix, data, jetstream.WithStallWait(l.cfg.AckTimeout))
}

// maxMessageBytes is the largest message the server takes (its
// max_payload, 1 MB by default), less room for the protocol line.
func (l *reportLog) maxMessageBytes() int {
	return max(int(l.nc.MaxPayload())-1024, 4096)
}

// decode decodes a log message of either format.
func (l *reportLog) decode(subject string, data []byte) (*logBatch, error) {
	if subject == l.cfg.Subject+batchSubjectSuffix {
		return decodeBatch(data)
	}
	return decodeLegacy(data)
}

// wait waits for each future's acknowledgement and returns the stream
// sequence of each, or an error where the append failed.
func (l *reportLog) wait(ctx context.Context, futs []jetstream.PubAckFuture) ([]uint64, []error) {
	seqs := make([]uint64, len(futs))
	errs := make([]error, len(futs))
	ctx, cancel := context.WithTimeout(ctx, l.cfg.AckTimeout)
	defer cancel()
	for i, f := range futs {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			seqs[i] = ack.Sequence
		case err := <-f.Err():
			errs[i] = err
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
	}
	return seqs, errs
}

// sync makes acknowledged appends durable under Config.Sync "batch".
func (l *reportLog) sync() error {
	if l.syncer == nil {
		return nil
	}
	return l.syncer.Sync()
}

// lastSeq is the sequence of the last record in the log (0 if empty).
func (l *reportLog) lastSeq(ctx context.Context) (uint64, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("ingest: stream info: %w", err)
	}
	return info.State.LastSeq, nil
}

// bounds returns the sequences of the first and last message in the log
// (both 0 if it is empty).
func (l *reportLog) bounds(ctx context.Context) (first, last uint64, err error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest: stream info: %w", err)
	}
	if info.State.Msgs == 0 {
		return 0, info.State.LastSeq, nil
	}
	return info.State.FirstSeq, info.State.LastSeq, nil
}

// scan calls fn with every message of the log from sequence from to to, in
// order.
func (l *reportLog) scan(ctx context.Context, from, to uint64, fn func(seq uint64, lb *logBatch) error) error {
	if from > to {
		return nil
	}
	it, err := l.read(ctx, from)
	if err != nil {
		return err
	}
	defer it.Stop()
	for ctx.Err() == nil {
		// A stalled read fails rather than hangs; a long log does not.
		msg, err := it.Next(jetstream.NextMaxWait(scanStall))
		if err != nil {
			return fmt.Errorf("ingest: scan log from %d to %d: %w", from, to, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("ingest: scan log: metadata: %w", err)
		}
		seq := md.Sequence.Stream
		lb, err := l.decode(msg.Subject(), msg.Data())
		if err != nil {
			return fmt.Errorf("ingest: scan log: message %d: %w", seq, err)
		}
		if err := fn(seq, lb); err != nil {
			return err
		}
		if seq >= to {
			return nil
		}
	}
	return ctx.Err()
}

// scanStall bounds the wait for the next message of a log scan.
const scanStall = 30 * time.Second

// read returns an iterator over the log from sequence start.
func (l *reportLog) read(ctx context.Context, start uint64) (jetstream.MessagesContext, error) {
	cons, err := l.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   start,
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: read log: consumer: %w", err)
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, fmt.Errorf("ingest: read log: messages: %w", err)
	}
	return it, nil
}

// Close closes the connection and shuts the embedded server down.
func (l *reportLog) Close() error {
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
