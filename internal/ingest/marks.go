package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/merkle"
)

// The high-water marks (each device's last accepted nonce, the digest and
// leaf hash of the report that carried it) are restored on start from a
// snapshot file plus the log after it. The batcher, which reads the log in
// order anyway, writes the snapshot after cutting a segment: the marks as of
// the log prefix up to that segment's last message, exactly. On start ingest
// loads the snapshot and replays the log messages after it, so a start reads
// at most about Config.SnapshotRecords records (or one per device, whichever
// is more) instead of the whole log.
//
// File format (DataDir/marks), big-endian:
//
//	magic "DPNMARK1" | seq uint64 | count uint64 |
//	count × (pub_key [32] | nonce uint64 | digest [32] | leaf [32]), pub_key ascending |
//	SHA-256 of everything before it [32]
//
// seq is the last log message the marks include. The file is written with
// internal/durable (synced temporary file, rename, synced directory).

const (
	marksMagic     = "DPNMARK1"
	marksHeaderLen = 8 + 8 + 8
	markLen        = 32 + 8 + 32 + 32
	marksFile      = "marks"
)

// mark is one device's high-water mark.
type mark struct {
	pub    [32]byte
	nonce  uint64
	digest [32]byte
	leaf   [32]byte
}

// marksSnapshot is a decoded marks file.
type marksSnapshot struct {
	seq   uint64
	marks []mark // pub ascending
}

var errBadMarks = errors.New("ingest: decode marks")

// encodeMarks encodes a snapshot; marks must be sorted by pub, without
// repeats.
func encodeMarks(seq uint64, marks []mark) []byte {
	b := make([]byte, 0, marksHeaderLen+len(marks)*markLen+sha256.Size)
	b = append(b, marksMagic...)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = binary.BigEndian.AppendUint64(b, uint64(len(marks)))
	for i := range marks {
		m := &marks[i]
		b = append(b, m.pub[:]...)
		b = binary.BigEndian.AppendUint64(b, m.nonce)
		b = append(b, m.digest[:]...)
		b = append(b, m.leaf[:]...)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// decodeMarks decodes and checks a marks file: magic, length, checksum and
// strictly ascending keys.
func decodeMarks(b []byte) (*marksSnapshot, error) {
	if len(b) < marksHeaderLen+sha256.Size || string(b[:8]) != marksMagic {
		return nil, fmt.Errorf("%w: not a marks file", errBadMarks)
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", errBadMarks)
	}
	seq := binary.BigEndian.Uint64(body[8:])
	count := binary.BigEndian.Uint64(body[16:])
	rest := body[marksHeaderLen:]
	if count != uint64(len(rest))/markLen || len(rest)%markLen != 0 {
		return nil, fmt.Errorf("%w: %d marks announced, %d bytes of marks", errBadMarks, count, len(rest))
	}
	s := &marksSnapshot{seq: seq, marks: make([]mark, count)}
	for i := range s.marks {
		r := rest[i*markLen:]
		m := &s.marks[i]
		m.pub = [32]byte(r[:32])
		m.nonce = binary.BigEndian.Uint64(r[32:])
		m.digest = [32]byte(r[40:72])
		m.leaf = [32]byte(r[72:104])
		if i > 0 && bytes.Compare(s.marks[i-1].pub[:], m.pub[:]) >= 0 {
			return nil, fmt.Errorf("%w: keys not strictly ascending at %d", errBadMarks, i)
		}
	}
	return s, nil
}

// loadMarks reads the marks file at path; a missing file is an empty
// snapshot at sequence 0.
func loadMarks(path string) (*marksSnapshot, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &marksSnapshot{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: load marks: %w", err)
	}
	s, err := decodeMarks(b)
	if err != nil {
		return nil, fmt.Errorf("ingest: load marks %s: %w", path, err)
	}
	return s, nil
}

// mergeMarks returns base updated by delta: a device in delta takes delta's
// mark. Both and the result are sorted by pub.
func mergeMarks(base, delta []mark) []mark {
	out := make([]mark, 0, len(base)+len(delta))
	i, j := 0, 0
	for i < len(base) || j < len(delta) {
		switch {
		case j == len(delta):
			out = append(out, base[i])
			i++
		case i == len(base):
			out = append(out, delta[j])
			j++
		default:
			switch c := bytes.Compare(base[i].pub[:], delta[j].pub[:]); {
			case c < 0:
				out = append(out, base[i])
				i++
			case c > 0:
				out = append(out, delta[j])
				j++
			default:
				out = append(out, delta[j])
				i++
				j++
			}
		}
	}
	return out
}

// markSet collects the marks of log messages applied in order.
type markSet map[[32]byte]*mark

// apply records the entries of one log message, whose records have the
// given leaf hashes. Within the log a device's nonces rise, so a later entry
// replaces an earlier one.
func (ms markSet) apply(lb *logBatch, leaves []merkle.Hash) {
	for i := range lb.entries {
		e := &lb.entries[i]
		m := ms[e.pub]
		if m == nil {
			m = &mark{pub: e.pub}
			ms[e.pub] = m
		}
		m.nonce, m.digest, m.leaf = e.nonce, e.digest, leaves[i]
	}
}

// leavesOf returns the leaf hashes of a message's records.
func leavesOf(lb *logBatch) []merkle.Hash {
	out := make([]merkle.Hash, len(lb.entries))
	for i := range lb.entries {
		out[i] = merkle.LeafHash(lb.entries[i].record)
	}
	return out
}

// sorted returns the set's marks sorted by pub.
func (ms markSet) sorted() []mark {
	out := make([]mark, 0, len(ms))
	for _, m := range ms {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b mark) int { return bytes.Compare(a.pub[:], b.pub[:]) })
	return out
}

// writeMarks merges delta (the marks of the log messages after the file's
// sequence, up to seq) into the marks file at path and returns the number
// of devices it now holds.
func writeMarks(path string, seq uint64, delta markSet) (int, error) {
	old, err := loadMarks(path)
	if err != nil {
		return 0, err
	}
	if seq < old.seq {
		return 0, fmt.Errorf("ingest: write marks: sequence %d is below the file's %d", seq, old.seq)
	}
	all := mergeMarks(old.marks, delta.sorted())
	if err := durable.WriteFile(path, encodeMarks(seq, all), 0o644); err != nil {
		return 0, fmt.Errorf("ingest: write marks: %w", err)
	}
	return len(all), nil
}
