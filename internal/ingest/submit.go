package ingest

import (
	"context"
	"fmt"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/depin-network/depin/internal/merkle"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// ErrBatchTooLarge is returned (as connect InvalidArgument) for a batch over
// Config.MaxBatch.
var ErrBatchTooLarge = fmt.Errorf("ingest: batch too large")

// item is one report on its way through SubmitBatch.
type item struct {
	signed *reportv1.SignedReport
	rep    *reportv1.Report
	rej    *rejection
	pub    [32]byte
	digest [32]byte // SHA-256 of the report bytes
	record []byte   // the encoded LogRecord
	leaf   [32]byte
	msg    int // index of the log message that carries it, -1 for none
}

// batchMsg is one log message of a batch being appended.
type batchMsg struct {
	app Appended
	err error
}

// Submit checks a batch of signed reports, appends the acceptable ones to the
// log, waits until they are durable and returns one result per report, in
// order. Checks run cheapest first; a report rejected by one is not looked at
// by the next: the connection's rate (when ctx carries a connection), size
// and structure, timestamp, registry, entropy window, signature (batch
// verification: only registered devices' reports cost a verification),
// nonce, device rate. A rejected report changes nothing.
func (s *Service) Submit(ctx context.Context, reports []*reportv1.SignedReport) ([]*ingestv1.ReportResult, error) {
	if len(reports) > s.cfg.MaxBatch {
		return nil, fmt.Errorf("%w: %d reports, limit %d", ErrBatchTooLarge, len(reports), s.cfg.MaxBatch)
	}
	items := make([]item, len(reports))
	allowed := s.connAllowance(ctx, len(reports))
	for i, sr := range reports {
		items[i].signed, items[i].msg = sr, -1
		if i >= allowed {
			items[i].rej = reject(ingestv1.Status_STATUS_RATE_LIMITED, "connection exceeds %d reports per second (burst %d)", s.cfg.ConnRate, s.cfg.ConnBurst)
			continue
		}
		items[i].rep, items[i].rej = decode(s.deps.Kinds, sr, s.cfg.MaxReportBytes)
	}
	s.checkState(items)
	s.verify(items)
	msgs := s.append(items)
	s.await(ctx, items, msgs)
	out := make([]*ingestv1.ReportResult, len(items))
	counts := make([]int, len(ingestv1.Status_name))
	for i := range items {
		it := &items[i]
		switch {
		case it.rej != nil:
			out[i] = &ingestv1.ReportResult{Status: it.rej.status, Message: it.rej.msg}
			if it.rej.status == ingestv1.Status_STATUS_DUPLICATE {
				out[i].Hash = it.leaf[:]
			}
		default:
			out[i] = &ingestv1.ReportResult{Status: ingestv1.Status_STATUS_ACCEPTED, Hash: it.leaf[:]}
		}
		counts[out[i].Status]++
	}
	for st, n := range counts {
		if n > 0 {
			s.metrics.reports.WithLabelValues(ingestv1.Status(st).String()).Add(float64(n))
		}
	}
	if s.deps.Tap != nil && counts[ingestv1.Status_STATUS_ACCEPTED] > 0 {
		acc := make([]*reportv1.Report, 0, counts[ingestv1.Status_STATUS_ACCEPTED])
		for i := range items {
			if items[i].rej == nil {
				acc = append(acc, items[i].rep)
			}
		}
		s.deps.Tap(acc)
	}
	return out, nil
}

// checkState checks the timestamp, the registry and the entropy window.
func (s *Service) checkState(items []item) {
	head := s.deps.Entropy.Height()
	now := s.deps.Now().UnixNano()
	skew := s.cfg.MaxTimestampSkew.Nanoseconds()
	for i := range items {
		it := &items[i]
		if it.rej != nil {
			continue
		}
		if ts := it.rep.GetTimestamp(); ts < now-skew || ts > now+skew {
			it.rej = reject(ingestv1.Status_STATUS_BAD_TIMESTAMP, "timestamp is %s from ingest's clock, more than %s", time.Duration(absDiff(ts, now)), s.cfg.MaxTimestampSkew)
			continue
		}
		info, ok := s.deps.Registry.Device(it.rep.GetPubKey())
		switch {
		case !ok:
			it.rej = reject(ingestv1.Status_STATUS_UNKNOWN_DEVICE, "no device registered with pub_key %x", it.rep.GetPubKey())
		case info.Decommissioned:
			it.rej = reject(ingestv1.Status_STATUS_DECOMMISSIONED, "device %x is decommissioned", it.rep.GetPubKey())
		default:
			it.rej = checkEntropy(s.deps.Entropy, head, s.cfg.EntropyWindow, it.rep.GetEntropy())
		}
	}
}

// absDiff is |a - b| without overflow, saturated at the largest int64.
func absDiff(a, b int64) int64 {
	d := uint64(a) - uint64(b)
	if a < b {
		d = uint64(b) - uint64(a)
	}
	return int64(min(d, 1<<63-1))
}

// maxMessageRecords caps the records of one log message at a segment's
// size, so that segments, which end on message boundaries, stay within
// Config.SegmentSize.
func (s *Service) maxMessageRecords() int { return s.cfg.SegmentSize }

// append checks nonces and rates and publishes the survivors as one log
// message (more if the batch exceeds a message's size), all under the device
// lock, so the log holds each device's reports in nonce order. The receive
// time is taken here, after the checks, which may wait for chain state: the
// batcher cuts segments by the age of their first record.
func (s *Service) append(items []item) []batchMsg {
	received := s.deps.Now().UnixNano()
	height := s.deps.Entropy.Height()
	epoch := s.deps.Epochs.Epoch(height)
	s.prepare(items, received, height, epoch)
	maxBytes, maxRecs := s.log.MaxMessageBytes(), s.maxMessageRecords()
	size := 0 // an upper bound of the message bytes
	for i := range items {
		if items[i].rej == nil {
			size += 1 + protowire.SizeBytes(entrySize(items[i].rep.GetNonce(), items[i].record))
		}
	}
	if size == 0 {
		return nil
	}
	var msgs []batchMsg
	var cur []byte
	n := 0
	flush := func() {
		app, err := s.log.Append(cur)
		msgs = append(msgs, batchMsg{app: app, err: err})
		cur, n = nil, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range items {
		it := &items[i]
		if it.rej != nil {
			continue
		}
		d := s.devices[it.pub]
		if d == nil {
			d = &device{}
			s.devices[it.pub] = d
		}
		nonce := it.rep.GetNonce()
		if d.known && nonce <= d.nonce {
			if nonce == d.nonce && it.digest == d.digest {
				it.leaf = d.leaf
				it.rej = reject(ingestv1.Status_STATUS_DUPLICATE, "report with nonce %d was accepted before", d.nonce)
			} else {
				it.rej = reject(ingestv1.Status_STATUS_REPLAY, "nonce %d is not above the last accepted nonce %d", nonce, d.nonce)
			}
			continue
		}
		if !d.bucket.take(received, s.cfg.Rate, s.cfg.Burst) {
			it.rej = reject(ingestv1.Status_STATUS_RATE_LIMITED, "device exceeds %d reports per second (burst %d)", s.cfg.Rate, s.cfg.Burst)
			continue
		}
		esize := 1 + protowire.SizeBytes(entrySize(nonce, it.record))
		if n > 0 && (n >= maxRecs || len(cur)+esize > maxBytes) {
			flush()
		}
		if cur == nil {
			cur = make([]byte, 0, 32+min(size, maxBytes))
			cur = appendBatchHeader(cur, epoch, received)
		}
		cur = appendBatchEntry(cur, &it.pub, &it.digest, nonce, it.record)
		size -= esize
		n++
		it.msg = len(msgs)
		// The nonce is spent from here on, even if the append fails: the
		// report may be in the log without an acknowledgement.
		d.known, d.nonce, d.digest, d.leaf = true, nonce, it.digest, it.leaf
	}
	if n > 0 {
		flush()
	}
	for i := range items {
		it := &items[i]
		if it.rej == nil && it.msg >= 0 && msgs[it.msg].err != nil {
			s.unavailable(it, s.devices[it.pub], msgs[it.msg].err)
		}
	}
	return msgs
}

// prepare encodes the log record and leaf hash of every report still in the
// running, into one buffer.
func (s *Service) prepare(items []item, received, height int64, epoch uint64) {
	size := 0
	for i := range items {
		if it := &items[i]; it.rej == nil {
			size += logRecordSize(it.signed.GetReport(), it.signed.GetSignature(), received, height, epoch)
		}
	}
	buf := make([]byte, 0, size)
	for i := range items {
		it := &items[i]
		if it.rej != nil {
			continue
		}
		start := len(buf)
		buf = appendLogRecord(buf, it.signed.GetReport(), it.signed.GetSignature(), received, height, epoch)
		it.record = buf[start:len(buf):len(buf)]
		it.leaf = merkle.LeafHash(it.record)
	}
}

// await waits for the acknowledgements of the batch's log messages and,
// under the batch sync policy, one fsync covering them.
func (s *Service) await(ctx context.Context, items []item, msgs []batchMsg) {
	waiting := false
	for _, m := range msgs {
		waiting = waiting || m.err == nil
	}
	if !waiting {
		return
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.AckTimeout)
	defer cancel()
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		if m.err == nil {
			_, errs[i] = m.app.Wait(wctx)
		}
	}
	syncErr := s.log.Sync()
	failed := false
	for i, m := range msgs {
		if m.err == nil && errs[i] == nil {
			errs[i] = syncErr
		}
		failed = failed || (m.err == nil && errs[i] != nil)
	}
	if !failed {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range items {
		it := &items[i]
		if it.rej == nil && it.msg >= 0 && msgs[it.msg].err == nil && errs[it.msg] != nil {
			s.unavailable(it, s.devices[it.pub], errs[it.msg])
		}
	}
}

// unavailable rejects a report whose append failed or is in doubt; the
// device must sign it again with a higher nonce. Callers hold s.mu.
func (s *Service) unavailable(it *item, d *device, err error) {
	s.logger.Warn("ingest: append report", "err", err)
	it.rej = reject(ingestv1.Status_STATUS_UNAVAILABLE, "the log could not store the report; send it again with a higher nonce")
	if d != nil && d.nonce == it.rep.GetNonce() {
		d.digest, d.leaf = [32]byte{}, [32]byte{}
	}
}

// SubmitBatch implements the connect IngestService.
func (s *Service) SubmitBatch(ctx context.Context, req *connect.Request[ingestv1.SubmitBatchRequest]) (*connect.Response[ingestv1.SubmitBatchResponse], error) {
	res, err := s.Submit(ctx, req.Msg.GetReports())
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	return connect.NewResponse(&ingestv1.SubmitBatchResponse{Results: res}), nil
}

// GetEntropy implements the connect IngestService.
func (s *Service) GetEntropy(context.Context, *connect.Request[ingestv1.GetEntropyRequest]) (*connect.Response[ingestv1.GetEntropyResponse], error) {
	h := s.deps.Entropy.Height()
	hash, ok := s.deps.Entropy.BlockHash(h)
	if h <= 0 || !ok {
		return nil, connect.NewError(connect.CodeUnavailable, fmt.Errorf("ingest: no chain head yet"))
	}
	return connect.NewResponse(&ingestv1.GetEntropyResponse{
		Entropy: &reportv1.BlockRef{Height: h, Hash: hash},
		Window:  s.cfg.EntropyWindow,
	}), nil
}
