package content

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/storage"
)

// proofMagic starts an encoded proof.
const proofMagic = "DSTP"

// Proof is one leaf of a shard with its Merkle path: what a provider
// answers to a challenge and submits on chain.
type Proof struct {
	Index uint64
	Leaf  []byte
	Path  []merkle.Hash
}

// Encode is the proof's canonical encoding: magic, index, leaf length and
// leaf, path length and path.
func (p *Proof) Encode() []byte {
	b := make([]byte, 0, 4+8+4+len(p.Leaf)+1+len(p.Path)*merkle.HashLen)
	b = append(b, proofMagic...)
	b = binary.BigEndian.AppendUint64(b, p.Index)
	b = binary.BigEndian.AppendUint32(b, uint32(len(p.Leaf)))
	b = append(b, p.Leaf...)
	b = append(b, byte(len(p.Path)))
	for _, h := range p.Path {
		b = append(b, h[:]...)
	}
	return b
}

// DecodeProof decodes a proof, refusing anything but the canonical
// encoding of a leaf of at most MaxLeafSize bytes and a path of at most
// storage.MaxPath hashes.
func DecodeProof(b []byte) (*Proof, error) {
	if len(b) < 17 || string(b[:4]) != proofMagic {
		return nil, fmt.Errorf("proof: bad header: %w", ErrMalformed)
	}
	p := &Proof{Index: binary.BigEndian.Uint64(b[4:])}
	n := uint64(binary.BigEndian.Uint32(b[12:]))
	rest := b[16:]
	if n > MaxLeafSize || uint64(len(rest)) < n+1 {
		return nil, fmt.Errorf("proof: leaf of %d bytes: %w", n, ErrMalformed)
	}
	p.Leaf = append([]byte(nil), rest[:n]...)
	k := int(rest[n])
	rest = rest[n+1:]
	if k > storage.MaxPath || len(rest) != k*merkle.HashLen {
		return nil, fmt.Errorf("proof: path of %d hashes in %d bytes: %w", k, len(rest), ErrMalformed)
	}
	p.Path = make([]merkle.Hash, k)
	for i := range p.Path {
		copy(p.Path[i][:], rest[i*merkle.HashLen:])
	}
	return p, nil
}

// Prove builds the proof of leaf index of a shard from its tree and bytes.
func Prove(tree *merkle.Tree, shard io.ReaderAt, leafSize uint32, index uint64) (*Proof, error) {
	mp, ok := tree.Proof(index)
	if !ok {
		return nil, fmt.Errorf("prove: leaf %d of %d", index, tree.Len())
	}
	leaf := make([]byte, leafSize)
	if _, err := shard.ReadAt(leaf, int64(index)*int64(leafSize)); err != nil {
		return nil, fmt.Errorf("prove: read leaf %d: %w", index, err)
	}
	return &Proof{Index: index, Leaf: leaf, Path: mp.Path}, nil
}

// Verify checks the proof against shard i of a manifest.
func (p *Proof) Verify(m *Manifest, i int) bool {
	if i < 0 || i >= m.N || len(p.Leaf) != int(m.LeafSize) {
		return false
	}
	return storage.VerifyLeaf(m.Roots[i], m.Leaves(), p.Index, p.Leaf, p.Path)
}
