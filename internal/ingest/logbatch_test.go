package ingest

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// TestAppendLogRecordMatchesProto checks the hand-written LogRecord
// encoding against proto.Marshal, zero fields and extreme values included:
// segments and leaf hashes hold these bytes.
func TestAppendLogRecordMatchesProto(t *testing.T) {
	rep, sg := bytes.Repeat([]byte{7}, 180), bytes.Repeat([]byte{9}, 64)
	tests := []struct {
		name             string
		report, sig      []byte
		received, height int64
		epoch            uint64
	}{
		{"typical", rep, sg, 1_700_000_000_000_000_000, 100, 0},
		{"all set", rep, sg, 5, 7, 9},
		{"zero scalars", rep, sg, 0, 0, 0},
		{"empty report and signature", nil, nil, 1, 2, 3},
		{"empty signature", rep, nil, 1, 0, 1},
		{"negative received", rep, sg, -1, math.MaxInt64, math.MaxUint64},
		{"long report", bytes.Repeat([]byte{1}, 20000), sg, 1, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := proto.Marshal(&ingestv1.LogRecord{
				Report:   &reportv1.SignedReport{Report: tc.report, Signature: tc.sig},
				Received: tc.received, Height: tc.height, Epoch: tc.epoch,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := appendLogRecord([]byte("prefix"), tc.report, tc.sig, tc.received, tc.height, tc.epoch)
			if !bytes.Equal(got[6:], want) || string(got[:6]) != "prefix" {
				t.Errorf("got %x, want %x", got[6:], want)
			}
			if n := logRecordSize(tc.report, tc.sig, tc.received, tc.height, tc.epoch); n != len(want) {
				t.Errorf("got size %d, want %d", n, len(want))
			}
		})
	}
}

// TestAppendSignBytesMatchesSig checks the buffer-reusing sign bytes
// against internal/sig.
func TestAppendSignBytesMatchesSig(t *testing.T) {
	for _, msg := range [][]byte{nil, {}, []byte("report"), bytes.Repeat([]byte{3}, 300)} {
		if got, want := sig.AppendSignBytes([]byte("junk")[:0], Domain, msg), sig.SignBytes(Domain, msg); !bytes.Equal(got, want) {
			t.Errorf("msg %x: got %x, want %x", msg, got, want)
		}
	}
}

func genEntry(t *rapid.T) logEntry {
	var e logEntry
	copy(e.pub[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "pub"))
	copy(e.digest[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "digest"))
	e.nonce = rapid.Uint64().Draw(t, "nonce")
	e.record = rapid.SliceOfN(rapid.Byte(), 0, 600).Draw(t, "record")
	return e
}

func encodeBatch(lb *logBatch) []byte {
	b := appendBatchHeader(nil, lb.epoch, lb.received)
	for i := range lb.entries {
		e := &lb.entries[i]
		b = appendBatchEntry(b, &e.pub, &e.digest, e.nonce, e.record)
	}
	return b
}

// TestBatchRoundTrip checks that any batch decodes to itself and that the
// size the publisher budgets is the size written.
func TestBatchRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lb := &logBatch{
			epoch:    rapid.Uint64().Draw(t, "epoch"),
			received: rapid.Int64().Draw(t, "received"),
			entries:  rapid.SliceOfN(rapid.Custom(genEntry), 0, 20).Draw(t, "entries"),
		}
		b := encodeBatch(lb)
		size := len(appendBatchHeader(nil, lb.epoch, lb.received))
		for _, e := range lb.entries {
			size += 1 + protowire.SizeBytes(entrySize(e.nonce, e.record))
		}
		if size != len(b) {
			t.Fatalf("got %d bytes, budgeted %d", len(b), size)
		}
		got, err := decodeBatch(b)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if got.epoch != lb.epoch || got.received != lb.received || len(got.entries) != len(lb.entries) {
			t.Fatalf("got epoch %d received %d %d entries, want %d %d %d", got.epoch, got.received, len(got.entries), lb.epoch, lb.received, len(lb.entries))
		}
		for i, e := range got.entries {
			w := lb.entries[i]
			if e.pub != w.pub || e.nonce != w.nonce || e.digest != w.digest || !bytes.Equal(e.record, w.record) {
				t.Fatalf("entry %d: got %+v, want %+v", i, e, w)
			}
		}
	})
}

func TestDecodeBatchRejects(t *testing.T) {
	pub, digest := [32]byte{1}, [32]byte{2}
	good := appendBatchEntry(appendBatchHeader(nil, 3, 4), &pub, &digest, 5, []byte("record"))
	entry := func(fields ...[]byte) []byte {
		b := appendBatchHeader(nil, 3, 4)
		b = protowire.AppendTag(b, batchEntryField, protowire.BytesType)
		return protowire.AppendBytes(b, bytes.Join(fields, nil))
	}
	bytesField := func(n protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, n, protowire.BytesType), v)
	}
	varintField := func(n protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, n, protowire.VarintType), v)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"no received", varintField(batchEpochField, 1)},
		{"fields out of order", append(varintField(batchReceivedField, 1), varintField(batchEpochField, 1)...)},
		{"truncated", good[:len(good)-1]},
		{"trailing garbage", append(bytes.Clone(good), 0xff)},
		{"unknown field", append(bytes.Clone(good), varintField(9, 1)...)},
		{"short key", entry(bytesField(entryPubField, pub[:31]), varintField(entryNonceField, 1), bytesField(entryDigestField, digest[:]), bytesField(entryRecordField, nil))},
		{"short digest", entry(bytesField(entryPubField, pub[:]), varintField(entryNonceField, 1), bytesField(entryDigestField, digest[:5]), bytesField(entryRecordField, nil))},
		{"no record", entry(bytesField(entryPubField, pub[:]), varintField(entryNonceField, 1), bytesField(entryDigestField, digest[:]))},
		{"extra entry field", entry(bytesField(entryPubField, pub[:]), varintField(entryNonceField, 1), bytesField(entryDigestField, digest[:]), bytesField(entryRecordField, nil), varintField(5, 1))},
	}
	if _, err := decodeBatch(good); err != nil {
		t.Fatalf("good batch: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeBatch(tc.data); !errors.Is(err, errBadBatch) {
				t.Errorf("got %v, want errBadBatch", err)
			}
		})
	}
}

// FuzzDecodeBatch feeds arbitrary bytes as a log message: decoding must not
// panic, and what decodes must be canonical (encode it again to the same
// bytes), so a message has one meaning.
func FuzzDecodeBatch(f *testing.F) {
	pub, digest := [32]byte{1}, [32]byte{2}
	one := appendBatchEntry(appendBatchHeader(nil, 3, 4), &pub, &digest, 5, []byte("record"))
	f.Add(appendBatchHeader(nil, 0, 0))
	f.Add(one)
	f.Add(appendBatchEntry(bytes.Clone(one), &digest, &pub, 6, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		lb, err := decodeBatch(data)
		if err != nil {
			return
		}
		if again := encodeBatch(lb); !bytes.Equal(again, data) {
			t.Fatalf("decoded batch re-encodes differently: %x vs %x", again, data)
		}
	})
}
