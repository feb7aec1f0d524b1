package content

import (
	"crypto/sha256"
	"hash"

	"github.com/depin-network/depin/internal/merkle"
)

// leafHasher computes merkle.LeafHash with one reused digest: the same
// bytes, without an allocation per leaf (a shard has a leaf per KiB).
type leafHasher struct{ h hash.Hash }

func newLeafHasher() leafHasher { return leafHasher{h: sha256.New()} }

var leafPrefix = []byte{0x00}

func (l leafHasher) sum(leaf []byte) merkle.Hash {
	l.h.Reset()
	l.h.Write(leafPrefix)
	l.h.Write(leaf)
	var out merkle.Hash
	l.h.Sum(out[:0])
	return out
}
