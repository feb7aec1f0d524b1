package sensor

import (
	"encoding/binary"
	"fmt"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// stateVersion is the first byte of an encoded state.
const stateVersion = 1

// priorEntry is what the state keeps of a device: its seniority and the
// sketch of its last stream with a full sketch.
type priorEntry struct {
	ID         ledger.Address
	FirstEpoch uint64
	N          uint8
	Hash       [SketchSize]uint64
}

// EncodeState returns the canonical bytes of entries sorted by ID:
// version, count, then per device its id, first epoch, sketch length and
// hashes (big-endian).
func encodeState(es []priorEntry) []byte {
	b := []byte{stateVersion}
	b = binary.AppendUvarint(b, uint64(len(es)))
	for _, e := range es {
		b = append(b, e.ID[:]...)
		b = binary.AppendUvarint(b, e.FirstEpoch)
		b = append(b, e.N)
		for _, h := range e.Hash[:e.N] {
			b = binary.BigEndian.AppendUint64(b, h)
		}
	}
	return b
}

// DecodeState decodes a state; nil or empty is the first epoch's.
func DecodeState(b []byte) ([]priorEntry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	bad := func(what string) error { return fmt.Errorf("sensor: state: %s: %w", what, kind.ErrInvalid) }
	if b[0] != stateVersion {
		return nil, bad("unknown version")
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, bad("bad count")
	}
	b = b[k:]
	out := make([]priorEntry, 0, n)
	for range n {
		var e priorEntry
		if len(b) < ledger.AddressLen {
			return nil, bad("truncated")
		}
		copy(e.ID[:], b)
		b = b[ledger.AddressLen:]
		if e.FirstEpoch, k = binary.Uvarint(b); k <= 0 {
			return nil, bad("bad first epoch")
		}
		b = b[k:]
		if len(b) < 1 || b[0] > SketchSize || len(b) < 1+8*int(b[0]) {
			return nil, bad("bad sketch")
		}
		e.N = b[0]
		for j := range int(e.N) {
			e.Hash[j] = binary.BigEndian.Uint64(b[1+8*j:])
		}
		b = b[1+8*int(e.N):]
		if len(out) > 0 && compareAddr(out[len(out)-1].ID, e.ID) >= 0 {
			return nil, bad("entries not sorted")
		}
		out = append(out, e)
	}
	if len(b) != 0 {
		return nil, bad("trailing bytes")
	}
	return out, nil
}

func (s *Scorer) priorOf(id ledger.Address) (priorEntry, bool) {
	i, ok := binarySearchPrior(s.prior, id)
	if !ok {
		return priorEntry{}, false
	}
	return s.prior[i], true
}

func binarySearchPrior(es []priorEntry, id ledger.Address) (int, bool) {
	lo, hi := 0, len(es)
	for lo < hi {
		m := (lo + hi) / 2
		if compareAddr(es[m].ID, id) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(es) && es[lo].ID == id
}
