package content

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/depin-network/depin/internal/merkle"
)

func fuzzManifest() (*Manifest, [][]byte) {
	bufs := []*bytes.Buffer{new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)}
	data := bytes.Repeat([]byte("fuzz"), 100)
	m, err := Encode(bytes.NewReader(data), uint64(len(data)), Options{K: 2, N: 3, SegmentSize: 128, LeafSize: 64},
		[]io.Writer{bufs[0], bufs[1], bufs[2]})
	if err != nil {
		panic(err)
	}
	return m, [][]byte{bufs[0].Bytes(), bufs[1].Bytes(), bufs[2].Bytes()}
}

// FuzzDecodeManifest: a manifest that decodes re-encodes to the same bytes
// (one encoding per manifest, so one CID per layout).
func FuzzDecodeManifest(f *testing.F) {
	m, _ := fuzzManifest()
	f.Add(m.Encode())
	f.Add([]byte("DSTM"))
	f.Add(m.Encode()[:headerLen])
	sealed, err := Encode(bytes.NewReader([]byte("sealed")), 6, Options{K: 1, N: 2, SegmentSize: 64, LeafSize: 64, Encrypt: true,
		Key: bytes.Repeat([]byte{1}, KeyLen), Rand: bytes.NewReader(make([]byte, SaltLen))}, []io.Writer{io.Discard, io.Discard})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed.Encode()) // version 3 with a tags commitment
	if v1, err := os.ReadFile("testdata/v1/manifest"); err == nil {
		f.Add(v1) // a version 1 manifest (XChaCha20-Poly1305)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DecodeManifest(b)
		if err != nil {
			return
		}
		if !bytes.Equal(got.Encode(), b) {
			t.Fatalf("manifest decodes but re-encodes differently")
		}
		_ = got.ShardSize()
	})
}

// FuzzDecodeProof: a proof that decodes re-encodes to the same bytes, and
// verifies only if it is a real leaf of the shard at its index.
func FuzzDecodeProof(f *testing.F) {
	m, shards := fuzzManifest()
	leaves, _ := ShardLeaves(m, 0, bytes.NewReader(shards[0]))
	tree := merkle.NewTree(leaves)
	for i := range m.Leaves() {
		p, _ := Prove(tree, bytes.NewReader(shards[0]), m.LeafSize, i)
		f.Add(p.Encode())
	}
	f.Add([]byte("DSTP"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Encode(), b) {
			t.Fatalf("proof decodes but re-encodes differently")
		}
		if p.Verify(m, 0) && !bytes.Equal(p.Leaf, leafAt(shards[0], p.Index, m.LeafSize)) {
			t.Fatalf("a proof of bytes not in the shard verifies at %d", p.Index)
		}
	})
}

// FuzzShardLeaves: only the shard's own bytes are accepted as the shard.
func FuzzShardLeaves(f *testing.F) {
	m, shards := fuzzManifest()
	for _, s := range shards {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ShardLeaves(m, 1, bytes.NewReader(b)); err == nil && !bytes.Equal(b, shards[1]) {
			t.Fatalf("foreign bytes accepted as shard 1")
		}
	})
}
