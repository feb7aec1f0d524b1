package app

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/depin-network/depin/internal/ledger"
)

// nextAppHash chains a block's sorted write set into the previous app hash:
// H = SHA-256("depin/apphash/v1" || prev || height || writes), each write as
// (key length, key, kind, value length, value). Every node that applies the
// same blocks from the same genesis gets the same hash; any difference in
// any key or value at any height changes every later hash.
func nextAppHash(prev []byte, height int64, writes []ledger.Write) []byte {
	h := sha256.New()
	h.Write([]byte("depin/apphash/v1"))
	h.Write(prev)
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(height))
	h.Write(buf[:])
	for _, w := range writes {
		binary.BigEndian.PutUint32(buf[:4], uint32(len(w.Key)))
		h.Write(buf[:4])
		h.Write(w.Key)
		if w.Delete {
			h.Write([]byte{0})
			continue
		}
		h.Write([]byte{1})
		binary.BigEndian.PutUint32(buf[:4], uint32(len(w.Value)))
		h.Write(buf[:4])
		h.Write(w.Value)
	}
	return h.Sum(nil)
}
