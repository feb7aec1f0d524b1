package ingest

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// A log message holds the reports of one submitted batch (or of a part of
// it, see maxBatchRecords): one JetStream append per batch instead of one per
// report, which is what the file store's per-message cost asks for
// (reference/engineering.md §5: 349k async appends/s, 67k synchronous). Its
// body is the protobuf encoding of
//
//	message LogBatch {
//	  uint64 epoch = 1;           // the epoch of every record
//	  int64 received = 2;         // the receive time of every record
//	  repeated LogEntry entries = 3;
//	}
//	message LogEntry {
//	  bytes pub_key = 1;          // 32 bytes: the device
//	  uint64 nonce = 2;           // the report's nonce
//	  bytes digest = 3;           // 32 bytes: SHA-256 of the report bytes
//	  bytes record = 4;           // the ingestv1.LogRecord, as segments hold it
//	}
//
// written by hand, fields in number order. The device, nonce and digest
// repeat what the record holds so that restoring the high-water marks reads
// the log without decoding reports. A message that is not exactly this, or
// whose entries disagree with their records, is quarantined (quarantine.go).

// Field numbers of LogBatch and LogEntry.
const (
	batchEpochField    = 1
	batchReceivedField = 2
	batchEntryField    = 3
	entryPubField      = 1
	entryNonceField    = 2
	entryDigestField   = 3
	entryRecordField   = 4
)

// logEntry is one accepted report as the log holds it.
type logEntry struct {
	pub    [32]byte
	nonce  uint64
	digest [32]byte
	record []byte // encoded ingestv1.LogRecord
}

// logBatch is one decoded log message.
type logBatch struct {
	epoch    uint64
	received int64
	entries  []logEntry
}

// logRecordSize is the length of appendLogRecord's output.
func logRecordSize(report, signature []byte, received, height int64, epoch uint64) int {
	inner := 0
	if len(report) > 0 {
		inner += 1 + protowire.SizeBytes(len(report))
	}
	if len(signature) > 0 {
		inner += 1 + protowire.SizeBytes(len(signature))
	}
	n := 1 + protowire.SizeBytes(inner)
	if received != 0 {
		n += 1 + protowire.SizeVarint(uint64(received))
	}
	if height != 0 {
		n += 1 + protowire.SizeVarint(uint64(height))
	}
	if epoch != 0 {
		n += 1 + protowire.SizeVarint(epoch)
	}
	return n
}

// appendLogRecord appends the encoding of
// ingestv1.LogRecord{Report: {report, signature}, Received, Height, Epoch}:
// the bytes proto.Marshal gives for it (fields in number order, zero scalars
// and empty bytes left out), without building the messages.
func appendLogRecord(b, report, signature []byte, received, height int64, epoch uint64) []byte {
	inner := 0
	if len(report) > 0 {
		inner += 1 + protowire.SizeBytes(len(report))
	}
	if len(signature) > 0 {
		inner += 1 + protowire.SizeBytes(len(signature))
	}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(inner))
	if len(report) > 0 {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, report)
	}
	if len(signature) > 0 {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, signature)
	}
	if received != 0 {
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(received))
	}
	if height != 0 {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(height))
	}
	if epoch != 0 {
		b = protowire.AppendTag(b, 4, protowire.VarintType)
		b = protowire.AppendVarint(b, epoch)
	}
	return b
}

// appendBatchHeader starts a batch message.
func appendBatchHeader(b []byte, epoch uint64, received int64) []byte {
	b = protowire.AppendTag(b, batchEpochField, protowire.VarintType)
	b = protowire.AppendVarint(b, epoch)
	b = protowire.AppendTag(b, batchReceivedField, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(received))
}

// entrySize is the length of an entry's encoding, without its tag and
// length prefix.
func entrySize(nonce uint64, record []byte) int {
	return 1 + protowire.SizeBytes(32) + 1 + protowire.SizeVarint(nonce) +
		1 + protowire.SizeBytes(32) + 1 + protowire.SizeBytes(len(record))
}

// appendBatchEntry appends one entry to a batch message.
func appendBatchEntry(b []byte, pub, digest *[32]byte, nonce uint64, record []byte) []byte {
	b = protowire.AppendTag(b, batchEntryField, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(entrySize(nonce, record)))
	b = protowire.AppendTag(b, entryPubField, protowire.BytesType)
	b = protowire.AppendBytes(b, pub[:])
	b = protowire.AppendTag(b, entryNonceField, protowire.VarintType)
	b = protowire.AppendVarint(b, nonce)
	b = protowire.AppendTag(b, entryDigestField, protowire.BytesType)
	b = protowire.AppendBytes(b, digest[:])
	b = protowire.AppendTag(b, entryRecordField, protowire.BytesType)
	return protowire.AppendBytes(b, record)
}

var errBadBatch = errors.New("ingest: decode log batch")

// decodeBatch decodes a batch message. It accepts exactly what
// appendBatchHeader and appendBatchEntry write: every field once (entries
// repeated), in number order, with 32-byte keys and digests. The records
// alias data.
func decodeBatch(data []byte) (*logBatch, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", errBadBatch, fmt.Sprintf(format, args...))
	}
	var lb logBatch
	b := data
	epoch, b, err := consumeVarintField(b, batchEpochField)
	if err != nil {
		return nil, bad("epoch: %v", err)
	}
	received, b, err := consumeVarintField(b, batchReceivedField)
	if err != nil {
		return nil, bad("received: %v", err)
	}
	lb.epoch, lb.received = epoch, int64(received)
	for len(b) > 0 {
		var ent []byte
		if ent, b, err = consumeBytesField(b, batchEntryField); err != nil {
			return nil, bad("entry %d: %v", len(lb.entries), err)
		}
		e, err := decodeEntry(ent)
		if err != nil {
			return nil, bad("entry %d: %v", len(lb.entries), err)
		}
		lb.entries = append(lb.entries, e)
	}
	return &lb, nil
}

func decodeEntry(b []byte) (logEntry, error) {
	var e logEntry
	pub, b, err := consumeBytesField(b, entryPubField)
	if err != nil || len(pub) != 32 {
		return e, fmt.Errorf("pub_key: want 32 bytes (%v)", err)
	}
	if e.nonce, b, err = consumeVarintField(b, entryNonceField); err != nil {
		return e, fmt.Errorf("nonce: %v", err)
	}
	digest, b, err := consumeBytesField(b, entryDigestField)
	if err != nil || len(digest) != 32 {
		return e, fmt.Errorf("digest: want 32 bytes (%v)", err)
	}
	if e.record, b, err = consumeBytesField(b, entryRecordField); err != nil {
		return e, fmt.Errorf("record: %v", err)
	}
	if len(b) != 0 {
		return e, errors.New("trailing bytes")
	}
	e.pub, e.digest = [32]byte(pub), [32]byte(digest)
	return e, nil
}

// consumeVarintField reads field num as a varint. Tags and varints must be
// minimal, so that a message has exactly one encoding.
func consumeVarintField(b []byte, num protowire.Number) (uint64, []byte, error) {
	n, typ, k := protowire.ConsumeTag(b)
	if k < 0 || n != num || typ != protowire.VarintType || k != protowire.SizeTag(num) {
		return 0, nil, fmt.Errorf("want varint field %d", num)
	}
	v, m := protowire.ConsumeVarint(b[k:])
	if m < 0 {
		return 0, nil, protowire.ParseError(m)
	}
	if m != protowire.SizeVarint(v) {
		return 0, nil, errors.New("varint not minimal")
	}
	return v, b[k+m:], nil
}

// consumeBytesField reads field num as bytes, with minimal tag and length.
func consumeBytesField(b []byte, num protowire.Number) ([]byte, []byte, error) {
	n, typ, k := protowire.ConsumeTag(b)
	if k < 0 || n != num || typ != protowire.BytesType || k != protowire.SizeTag(num) {
		return nil, nil, fmt.Errorf("want bytes field %d", num)
	}
	v, m := protowire.ConsumeBytes(b[k:])
	if m < 0 {
		return nil, nil, protowire.ParseError(m)
	}
	if m != protowire.SizeBytes(len(v)) {
		return nil, nil, errors.New("length not minimal")
	}
	return v, b[k+m:], nil
}
