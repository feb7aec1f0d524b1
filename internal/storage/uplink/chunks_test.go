package uplink

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
)

// TestChunkReaderRefusesBadStatements: a signed-chunk download reads
// through when every statement checks out, and fails with
// ErrUnsignedChunk at the first chunk whose statement does not, having
// handed on no byte of that chunk.
func TestChunkReaderRefusesBadStatements(t *testing.T) {
	const leaf = 1 << 10
	key := sig.KeyFromSeed(bytes.Repeat([]byte{9}, 32))
	var cid content.CID
	cid[0] = 7
	per := storage.MaxChunkBytes(leaf)
	shard := make([]byte, 2*per+3*leaf) // two whole chunks and a short last one
	for i := range shard {
		shard[i] = byte(i * 31)
	}
	type frame struct {
		chain    string
		cid      []byte
		shard    uint32
		first    uint64
		signed   []byte
		sent     []byte
		unsigned bool
		wrongKey bool
	}
	frames := func(mod func(i int, f *frame)) []byte {
		var b bytes.Buffer
		for i, off := 0, 0; off < len(shard); i++ {
			end := min(off+per, len(shard))
			f := frame{chain: "c", cid: cid[:], shard: 2, first: uint64(off / leaf), signed: shard[off:end], sent: shard[off:end]}
			if mod != nil {
				mod(i, &f)
			}
			k := key
			if f.wrongKey {
				k = sig.KeyFromSeed(bytes.Repeat([]byte{8}, 32))
			}
			raw, s := storage.SignChunk(k, f.chain, f.cid, f.shard, f.first, 5, f.signed)
			if f.unsigned {
				s = nil
			}
			if err := storage.WriteChunkFrame(&b, raw, s, f.sent); err != nil {
				t.Fatal(err)
			}
			off = end
		}
		return b.Bytes()
	}
	read := func(body []byte) ([]byte, error) {
		r := &chunkReader{body: bytes.NewReader(body), pub: sig.PublicOf(key), chainID: "c", cid: cid, shard: 2, leaf: leaf, size: int64(len(shard))}
		var got bytes.Buffer
		_, err := io.Copy(&got, r)
		return got.Bytes(), err
	}
	if got, err := read(frames(nil)); err != nil || !bytes.Equal(got, shard) {
		t.Fatalf("honest frames: %v (%d bytes of %d)", err, len(got), len(shard))
	}
	for name, mod := range map[string]func(i int, f *frame){
		"unsigned":           func(i int, f *frame) { f.unsigned = i == 1 },
		"another key":        func(i int, f *frame) { f.wrongKey = i == 1 },
		"another chain":      func(i int, f *frame) { f.chain = map[bool]string{true: "other", false: "c"}[i == 1] },
		"another content id": func(i int, f *frame) { f.cid = map[bool][]byte{true: []byte("x"), false: cid[:]}[i == 1] },
		"another shard":      func(i int, f *frame) { f.shard = map[bool]uint32{true: 3, false: 2}[i == 1] },
		"a skipped leaf":     func(i int, f *frame) { f.first += map[bool]uint64{true: 1, false: 0}[i == 1] },
		"bytes not signed": func(i int, f *frame) {
			f.sent = map[bool][]byte{true: make([]byte, len(f.sent)), false: f.sent}[i == 1]
		},
		"a chunk cut mid-leaf": func(i int, f *frame) {
			if i == 1 {
				f.signed, f.sent = f.signed[:leaf+1], f.sent[:leaf+1]
			}
		},
	} {
		got, err := read(frames(mod))
		if !errors.Is(err, ErrUnsignedChunk) {
			t.Errorf("%s: %v, want ErrUnsignedChunk", name, err)
		}
		if !bytes.Equal(got, shard[:per]) {
			t.Errorf("%s: handed on %d bytes, want only the first chunk's %d", name, len(got), per)
		}
	}
	// An oversized frame is refused before its bytes are read.
	var b bytes.Buffer
	raw, s := storage.SignChunk(key, "c", cid[:], 2, 0, 5, make([]byte, per+leaf))
	storage.WriteChunkFrame(&b, raw, s, make([]byte, per+leaf))
	if _, err := read(b.Bytes()); !errors.Is(err, ErrUnsignedChunk) {
		t.Errorf("an oversized chunk: %v, want ErrUnsignedChunk", err)
	}
}
