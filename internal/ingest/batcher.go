package ingest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/depin-network/depin/internal/merkle"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// batcher cuts the log into segments in log order, stores them and hands
// their commitments to the Committer. Its position is the last stored
// segment: after a crash it resumes from the message after it, so every
// record of the log ends up in exactly one stored segment. Segments end on
// message boundaries. It also keeps the high-water marks of the messages
// since the last marks snapshot and writes a new snapshot after a segment
// once enough reports have passed (see marks.go).
type batcher struct {
	cfg Config
	log Log
	// quarantine counts and logs a message readBatch refused.
	quarantine func(where string, seq uint64, data []byte, err error)
	store      *segmentStore
	committer  Committer
	now        func() time.Time
	metrics    *metrics
	logger     *slog.Logger

	next     uint64 // log sequence of the first message not in a stored segment
	readNext uint64 // log sequence of the next message to read
	prev     []byte // hash of the last stored segment
	pending  []pendingRecord

	marksPath string
	snapSeq   uint64  // last log message in the marks snapshot
	snapSize  int     // devices in the marks snapshot
	delta     markSet // marks of the messages after snapSeq that were read
	sinceSnap int     // reports in delta's messages

	commitRetry time.Time // earliest time to retry a failed commitment
}

type pendingRecord struct {
	seq      uint64 // of the log message that holds it
	data     []byte
	leaf     [32]byte
	epoch    uint64
	received int64
}

// retryDelay spaces retries of a failed segment write or commitment.
const retryDelay = time.Second

func newBatcher(cfg Config, l Log, st *segmentStore, c Committer, now func() time.Time, m *metrics, logger *slog.Logger) *batcher {
	b := &batcher{cfg: cfg, log: l, store: st, committer: c, now: now, metrics: m, logger: logger, next: 1,
		marksPath: filepath.Join(cfg.DataDir, marksFile), delta: markSet{}}
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
	// Start at the older of the segments' end and the snapshot's end: the
	// messages in between feed the next snapshot only.
	b.readNext = min(b.next, b.snapSeq+1)
	it, err := b.log.Read(ctx, b.readNext)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while opening the cursor
		}
		return err
	}
	defer func() {
		if it != nil { // nil after a failed reopen
			it.Close()
		}
	}()
	for ctx.Err() == nil {
		b.commit(ctx)
		msg, err := it.Next(b.tick())
		caughtUp := true
		switch {
		case err == nil:
			caughtUp = b.add(ctx, msg)
		case errors.Is(err, ErrNoMessage):
		case ctx.Err() != nil:
			return nil
		default:
			b.logger.Warn("ingest: batcher: read log", "err", err)
			it.Close()
			if !sleep(ctx, retryDelay) {
				return nil
			}
			if it, err = b.log.Read(ctx, b.readNext); err != nil {
				if ctx.Err() != nil {
					return nil
				}
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

// add appends a message's records to the pending segment and reports
// whether the batcher has caught up with the log: the message was the last
// one when the server delivered it, and it is younger than
// Config.SegmentMaxAge. The consumer is handed each new message as it
// arrives, with nothing pending, so after a stall (a commitment waiting for
// a halted chain) a backlog of old messages all read as last when delivered;
// cutting each of them by age would make a segment, and a commitment, per
// message, and the batcher would never catch up. A message that readBatch
// refuses is quarantined and skipped: it must not stop the batcher (and
// every restart after it), and it holds nothing ingest acknowledged.
func (b *batcher) add(ctx context.Context, msg Message) bool {
	seq := msg.Seq
	b.readNext = seq + 1
	lb, err := readBatch(msg.Data)
	if err != nil {
		if seq >= b.next {
			b.quarantine("batcher", seq, msg.Data, err)
		}
		return msg.Pending == 0
	}
	leaves := leavesOf(lb)
	caughtUp := msg.Pending == 0 && b.now().UnixNano()-lb.received < int64(b.cfg.SegmentMaxAge)
	if seq < b.next { // already in a segment: only the snapshot needs it
		b.track(seq, lb, leaves)
		return caughtUp
	}
	n := len(lb.entries)
	if len(b.pending) > 0 && (lb.epoch != b.pending[0].epoch || len(b.pending)+n > b.cfg.SegmentSize) {
		b.cut(ctx)
	}
	b.track(seq, lb, leaves)
	for i := range lb.entries {
		b.pending = append(b.pending, pendingRecord{seq: seq, data: lb.entries[i].record, leaf: leaves[i], epoch: lb.epoch, received: lb.received})
	}
	if len(b.pending) >= b.cfg.SegmentSize {
		b.cut(ctx)
	}
	return caughtUp
}

// track adds a message after the snapshot to the marks of the next one.
func (b *batcher) track(seq uint64, lb *logBatch, leaves []merkle.Hash) {
	if seq <= b.snapSeq {
		return
	}
	b.delta.apply(lb, leaves)
	b.sinceSnap += len(lb.entries)
}

// snapshot writes the marks up to the last stored segment once enough
// reports have passed since the last snapshot. Called with no pending
// records, so the marks cover exactly the messages up to b.next-1.
func (b *batcher) snapshot() {
	seq := b.next - 1
	if seq <= b.snapSeq || b.sinceSnap < max(b.cfg.SnapshotRecords, b.snapSize) {
		return
	}
	n, err := writeMarks(b.marksPath, seq, b.delta)
	if err != nil {
		b.logger.Warn("ingest: batcher: snapshot marks", "err", err)
		return // try again after the next segment
	}
	b.logger.Debug("ingest: marks snapshot written", "seq", seq, "devices", n)
	b.snapSeq, b.snapSize, b.delta, b.sinceSnap = seq, n, markSet{}, 0
}

// cut stores the pending records as a segment, retrying a failed write until
// it succeeds or ctx ends: records must leave the log in order.
func (b *batcher) cut(ctx context.Context) {
	for len(b.pending) > 0 {
		seg := &ingestv1.Segment{Epoch: b.pending[0].epoch, FirstSeq: b.pending[0].seq, Prev: b.prev}
		seg.Records = make([][]byte, len(b.pending))
		leaves := make([]merkle.Hash, len(b.pending))
		for i, p := range b.pending {
			seg.Records[i], leaves[i] = p.data, p.leaf
		}
		e, err := b.store.put(seg, b.pending[len(b.pending)-1].seq, leaves)
		if err == nil {
			b.logger.Debug("ingest: segment stored", "hash", e.Hash, "epoch", e.Epoch, "count", e.Count)
			b.metrics.segments.Inc()
			b.metrics.records.Add(float64(e.Count))
			b.prev, _ = hex.DecodeString(e.Hash)
			b.next = e.LastSeq + 1
			b.pending = b.pending[:0]
			b.snapshot()
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
