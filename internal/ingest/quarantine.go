package ingest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// Only ingest appends to the log, so a message that is not a batch ingest
// wrote is a storage fault or someone else's doing (issue 8 item 2: one
// 4-byte message stopped the batcher, the node and consensus with it, and
// every restart failed on it again). Such a message is quarantined: counted
// (Service.Quarantined, the ingest_log_quarantined_total metric), logged
// with its sequence and the reason, and skipped by the batcher and by the
// recovery of the high-water marks. Its records never reach a segment and
// its nonces never count.

// readBatch decodes a log message and checks that every entry agrees with
// the record it carries: the record is the canonical LogRecord ingest
// writes, of the batch's epoch and receive time, over a report whose
// SHA-256, device key and nonce are the entry's.
func readBatch(data []byte) (*logBatch, error) {
	lb, err := decodeBatch(data)
	if err != nil {
		return nil, err
	}
	for i := range lb.entries {
		if err := checkEntry(lb, &lb.entries[i]); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", errBadBatch, i, err)
		}
	}
	return lb, nil
}

func checkEntry(lb *logBatch, e *logEntry) error {
	var rec ingestv1.LogRecord
	if err := proto.Unmarshal(e.record, &rec); err != nil {
		return errors.New("record is not a log record")
	}
	sr := rec.GetReport()
	if !bytes.Equal(appendLogRecord(nil, sr.GetReport(), sr.GetSignature(), rec.GetReceived(), rec.GetHeight(), rec.GetEpoch()), e.record) {
		return errors.New("record is not in canonical encoding")
	}
	if rec.GetEpoch() != lb.epoch || rec.GetReceived() != lb.received {
		return fmt.Errorf("record of epoch %d received at %d in a batch of epoch %d received at %d", rec.GetEpoch(), rec.GetReceived(), lb.epoch, lb.received)
	}
	if sha256.Sum256(sr.GetReport()) != e.digest {
		return errors.New("digest is not the report's")
	}
	pub, nonce, err := reportKey(sr.GetReport())
	if err != nil {
		return err
	}
	if !bytes.Equal(pub, e.pub[:]) || nonce != e.nonce {
		return errors.New("device key or nonce is not the report's")
	}
	return nil
}

// Field numbers of the report's device key and nonce (reportv1.Report).
const (
	reportPubField   = 1
	reportNonceField = 2
)

// reportKey reads the device key and nonce of an encoded report, each of
// which must appear once; other fields are the report checks' business.
func reportKey(b []byte) (pub []byte, nonce uint64, err error) {
	seenPub, seenNonce := false, false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, 0, errors.New("report does not decode")
		}
		b = b[n:]
		switch {
		case num == reportPubField && typ == protowire.BytesType && !seenPub:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return nil, 0, errors.New("report does not decode")
			}
			pub, seenPub, b = v, true, b[m:]
		case num == reportNonceField && typ == protowire.VarintType && !seenNonce:
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return nil, 0, errors.New("report does not decode")
			}
			nonce, seenNonce, b = v, true, b[m:]
		case num == reportPubField || num == reportNonceField:
			return nil, 0, errors.New("report repeats its device key or nonce")
		default:
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return nil, 0, errors.New("report does not decode")
			}
			b = b[m:]
		}
	}
	if !seenPub || !seenNonce {
		return nil, 0, errors.New("report has no device key or nonce")
	}
	return pub, nonce, nil
}

// quarantine counts and logs a log message that readBatch refused.
func (s *Service) quarantine(where string, seq uint64, data []byte, err error) {
	s.quarantined.Add(1)
	s.metrics.quarantined.Inc()
	s.logger.Error("ingest: log message quarantined: skipped, its records go into no segment",
		"where", where, "seq", seq, "bytes", len(data), "head", fmt.Sprintf("%x", data[:min(len(data), 32)]), "err", err)
}

// Quarantined is how many log messages this service skipped as undecodable
// or inconsistent since it started.
func (s *Service) Quarantined() uint64 { return s.quarantined.Load() }
