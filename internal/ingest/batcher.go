package ingest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// batcher cuts the log into segments in log order, stores them and hands
// their commitments to the Committer. Its position is the last stored
// segment: after a crash it resumes from the record after it, so every
// record of the log ends up in exactly one stored segment.
type batcher struct {
	cfg       Config
	log       *reportLog
	store     *segmentStore
	committer Committer
	now       func() time.Time
	metrics   *metrics
	logger    *slog.Logger

	next    uint64 // log sequence of the first record not in a stored segment
	prev    []byte // hash of the last stored segment
	pending []pendingRecord

	commitRetry time.Time // earliest time to retry a failed commitment
}

type pendingRecord struct {
	seq      uint64
	data     []byte
	epoch    uint64
	received int64
}

// retryDelay spaces retries of a failed segment write or commitment.
const retryDelay = time.Second

func newBatcher(cfg Config, l *reportLog, st *segmentStore, c Committer, now func() time.Time, m *metrics, logger *slog.Logger) *batcher {
	b := &batcher{cfg: cfg, log: l, store: st, committer: c, now: now, metrics: m, logger: logger, next: 1}
	if last := st.last(); last != nil {
		b.next = last.LastSeq + 1
		b.prev, _ = hex.DecodeString(last.Hash)
	}
	return b
}

// tick is how often the batcher checks the age of a pending segment.
func (b *batcher) tick() time.Duration {
	return min(max(b.cfg.SegmentMaxAge/4, 10*time.Millisecond), time.Second)
}

// run cuts segments until ctx ends.
func (b *batcher) run(ctx context.Context) error {
	it, err := b.log.read(ctx, b.next)
	if err != nil {
		return err
	}
	defer func() { it.Stop() }()
	for ctx.Err() == nil {
		b.commit(ctx)
		msg, err := it.Next(jetstream.NextMaxWait(b.tick()))
		caughtUp := true
		switch {
		case err == nil:
			caughtUp = b.add(ctx, msg)
		case errors.Is(err, nats.ErrTimeout):
		case ctx.Err() != nil:
			return nil
		default:
			b.logger.Warn("ingest: batcher: read log", "err", err)
			it.Stop()
			if !sleep(ctx, retryDelay) {
				return nil
			}
			if it, err = b.log.read(ctx, b.next+uint64(len(b.pending))); err != nil {
				return err
			}
			continue
		}
		// Cut by age only once caught up with the log, so that catching up
		// after a restart still makes full segments.
		if caughtUp && len(b.pending) > 0 && b.now().UnixNano()-b.pending[0].received >= int64(b.cfg.SegmentMaxAge) {
			b.cut(ctx)
		}
	}
	return nil
}

// add appends a record to the pending segment and reports whether it was
// the last record in the log when delivered.
func (b *batcher) add(ctx context.Context, msg jetstream.Msg) bool {
	md, err := msg.Metadata()
	if err != nil {
		b.logger.Error("ingest: batcher: metadata", "err", err)
		return true
	}
	var rec ingestv1.LogRecord
	if err := proto.Unmarshal(msg.Data(), &rec); err != nil {
		// Only ingest writes the stream; keep the bytes anyway so the
		// segments still hold every record of the log.
		b.logger.Error("ingest: batcher: record does not decode", "seq", md.Sequence.Stream, "err", err)
	}
	p := pendingRecord{seq: md.Sequence.Stream, data: msg.Data(), epoch: rec.GetEpoch(), received: rec.GetReceived()}
	if len(b.pending) > 0 && p.epoch != b.pending[0].epoch {
		b.cut(ctx)
	}
	b.pending = append(b.pending, p)
	if len(b.pending) >= b.cfg.SegmentSize {
		b.cut(ctx)
	}
	return md.NumPending == 0
}

// cut stores the pending records as a segment, retrying a failed write until
// it succeeds or ctx ends: records must leave the log in order.
func (b *batcher) cut(ctx context.Context) {
	for len(b.pending) > 0 {
		seg := &ingestv1.Segment{Epoch: b.pending[0].epoch, FirstSeq: b.pending[0].seq, Prev: b.prev}
		seg.Records = make([][]byte, len(b.pending))
		for i, p := range b.pending {
			seg.Records[i] = p.data
		}
		e, err := b.store.put(seg, b.pending[len(b.pending)-1].seq)
		if err == nil {
			b.logger.Debug("ingest: segment stored", "hash", e.Hash, "epoch", e.Epoch, "count", e.Count)
			b.metrics.segments.Inc()
			b.metrics.records.Add(float64(e.Count))
			b.prev, _ = hex.DecodeString(e.Hash)
			b.next = e.LastSeq + 1
			b.pending = b.pending[:0]
			b.commit(ctx)
			return
		}
		b.logger.Error("ingest: batcher: store segment", "err", err)
		if !sleep(ctx, retryDelay) {
			return
		}
	}
}

// commit hands every uncommitted segment, in order, to the Committer.
func (b *batcher) commit(ctx context.Context) {
	if b.committer == nil || b.now().Before(b.commitRetry) {
		return
	}
	for _, e := range b.store.uncommitted() {
		c, err := e.commitment()
		if err == nil {
			err = b.committer.Commit(ctx, c)
		}
		if err == nil {
			err = b.store.markCommitted(e.Hash)
		}
		if err != nil {
			b.logger.Warn("ingest: batcher: commit segment", "hash", e.Hash, "err", err)
			b.commitRetry = b.now().Add(retryDelay)
			return
		}
	}
}

func (e *segmentEntry) commitment() (Commitment, error) {
	c := Commitment{Epoch: e.Epoch, Count: e.Count}
	h, err := hex.DecodeString(e.Hash)
	if err != nil || len(h) != 32 {
		return c, fmt.Errorf("ingest: segment hash %q is malformed", e.Hash)
	}
	r, err := hex.DecodeString(e.MerkleRoot)
	if err != nil || len(r) != 32 {
		return c, fmt.Errorf("ingest: segment merkle root %q is malformed", e.MerkleRoot)
	}
	copy(c.Hash[:], h)
	copy(c.MerkleRoot[:], r)
	return c, nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
