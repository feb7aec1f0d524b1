package app

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"github.com/depin-network/depin/internal/ledger"
)

// nextAppHash chains a block's sorted write set into the previous app hash:
// H = SHA-256("depin/apphash/v1" || prev || height || writes), each write as
// (key length, key, kind, value length, value). Every node that applies the
// same blocks from the same genesis gets the same hash; any difference in
// any key or value at any height changes every later hash.
func nextAppHash(prev []byte, height int64, writes []ledger.Write) []byte {
	w := newWriteHasher(prev, height)
	for _, wr := range writes {
		w.add(wr)
	}
	return w.sum()
}

// writeHasher computes nextAppHash one write at a time, so that a write set
// too large to hold (a genesis streamed to disk) hashes the same.
type writeHasher struct {
	h   hash.Hash
	buf [8]byte
}

func newWriteHasher(prev []byte, height int64) *writeHasher {
	w := &writeHasher{h: sha256.New()}
	w.h.Write([]byte("depin/apphash/v1"))
	w.h.Write(prev)
	binary.BigEndian.PutUint64(w.buf[:], uint64(height))
	w.h.Write(w.buf[:])
	return w
}

func (w *writeHasher) add(wr ledger.Write) {
	binary.BigEndian.PutUint32(w.buf[:4], uint32(len(wr.Key)))
	w.h.Write(w.buf[:4])
	w.h.Write(wr.Key)
	if wr.Delete {
		w.h.Write([]byte{0})
		return
	}
	w.h.Write([]byte{1})
	binary.BigEndian.PutUint32(w.buf[:4], uint32(len(wr.Value)))
	w.h.Write(w.buf[:4])
	w.h.Write(wr.Value)
}

func (w *writeHasher) sum() []byte { return w.h.Sum(nil) }
