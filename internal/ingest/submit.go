package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"connectrpc.com/connect"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

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
	record []byte
	leaf   [32]byte
	fut    jetstream.PubAckFuture
}

// Submit checks a batch of signed reports, appends the acceptable ones to the
// log, waits until they are durable and returns one result per report, in
// order. Checks run cheapest first; a report rejected by one is not looked at
// by the next: size and structure, signature (one batch verification),
// registry, entropy window, nonce, rate. A rejected report changes nothing.
func (s *Service) Submit(ctx context.Context, reports []*reportv1.SignedReport) ([]*ingestv1.ReportResult, error) {
	if len(reports) > s.cfg.MaxBatch {
		return nil, fmt.Errorf("%w: %d reports, limit %d", ErrBatchTooLarge, len(reports), s.cfg.MaxBatch)
	}
	items := make([]item, len(reports))
	for i, sr := range reports {
		items[i].signed = sr
		items[i].rep, items[i].rej = decode(sr, s.cfg.MaxReportBytes)
	}
	s.verify(items)
	s.checkState(items)
	s.append(items)
	s.await(ctx, items)
	out := make([]*ingestv1.ReportResult, len(items))
	var counts [ingestv1.Status_STATUS_UNAVAILABLE + 1]int
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
	return out, nil
}

// verify batch-verifies the signatures of the reports still in the running.
func (s *Service) verify(items []item) {
	var pubs, msgs, sigs [][]byte
	idx := make([]int, 0, len(items))
	for i := range items {
		if items[i].rej != nil {
			continue
		}
		pubs = append(pubs, items[i].rep.GetPubKey())
		msgs = append(msgs, items[i].signed.GetReport())
		sigs = append(sigs, items[i].signed.GetSignature())
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return
	}
	valid := s.keys.verifyBatch(pubs, msgs, sigs)
	for j, i := range idx {
		if !valid[j] {
			items[i].rej = reject(ingestv1.Status_STATUS_BAD_SIGNATURE, "signature does not verify for pub_key %x", items[i].rep.GetPubKey())
		}
	}
}

// checkState checks the registry and the entropy window.
func (s *Service) checkState(items []item) {
	head := s.deps.Entropy.Height()
	for i := range items {
		it := &items[i]
		if it.rej != nil {
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

// append checks nonces and rates and publishes the survivors, all under the
// device lock, so the log holds each device's reports in nonce order and the
// last report of a device subject carries its highest nonce.
func (s *Service) append(items []item) {
	now := s.deps.Now()
	received := now.UnixNano()
	height := s.deps.Entropy.Height()
	epoch := s.deps.Epochs.Epoch(height)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range items {
		it := &items[i]
		if it.rej != nil {
			continue
		}
		key := [32]byte(it.rep.GetPubKey())
		d := s.devices[key]
		if d == nil {
			d = &device{}
			s.devices[key] = d
		}
		digest := sha256.Sum256(it.signed.GetReport())
		if d.known && it.rep.GetNonce() <= d.nonce {
			if it.rep.GetNonce() == d.nonce && digest == d.digest {
				it.leaf = d.leaf
				it.rej = reject(ingestv1.Status_STATUS_DUPLICATE, "report with nonce %d was accepted before", d.nonce)
			} else {
				it.rej = reject(ingestv1.Status_STATUS_REPLAY, "nonce %d is not above the last accepted nonce %d", it.rep.GetNonce(), d.nonce)
			}
			continue
		}
		if !d.bucket.take(received, s.cfg.Rate, s.cfg.Burst) {
			it.rej = reject(ingestv1.Status_STATUS_RATE_LIMITED, "device exceeds %d reports per second (burst %d)", s.cfg.Rate, s.cfg.Burst)
			continue
		}
		rec, err := proto.Marshal(&ingestv1.LogRecord{Report: it.signed, Received: received, Height: height, Epoch: epoch})
		if err != nil {
			it.rej = reject(ingestv1.Status_STATUS_MALFORMED, "report does not encode: %v", err)
			continue
		}
		it.record = rec
		it.leaf = LeafHash(rec)
		// The nonce is spent from here on, even if the append fails: the
		// report may be in the log without an acknowledgement.
		d.known, d.nonce, d.digest, d.leaf = true, it.rep.GetNonce(), digest, it.leaf
		it.fut, err = s.log.publish(s.subject(key), rec)
		if err != nil {
			s.unavailable(it, d, err)
		}
	}
}

// await waits for the acknowledgements and, under the batch sync policy, one
// fsync covering them.
func (s *Service) await(ctx context.Context, items []item) {
	futs := make([]jetstream.PubAckFuture, len(items))
	waiting := false
	for i := range items {
		if items[i].rej == nil && items[i].fut != nil {
			futs[i] = items[i].fut
			waiting = true
		}
	}
	if !waiting {
		return
	}
	_, errs := s.log.wait(ctx, futs)
	syncErr := s.log.sync()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range items {
		it := &items[i]
		if futs[i] == nil {
			continue
		}
		err := errs[i]
		if err == nil {
			err = syncErr
		}
		if err != nil {
			s.unavailable(it, s.devices[[32]byte(it.rep.GetPubKey())], err)
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

func (s *Service) subject(pub [32]byte) string {
	return s.cfg.Subject + "." + hex.EncodeToString(pub[:])
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
