package content

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/merkle"
)

// put encodes data and returns the manifest and the shards' bytes.
func put(t interface {
	Helper()
	Fatalf(string, ...any)
}, data []byte, opt Options) (*Manifest, [][]byte) {
	t.Helper()
	bufs := make([]*bytes.Buffer, opt.N)
	ws := make([]io.Writer, opt.N)
	for i := range bufs {
		bufs[i] = new(bytes.Buffer)
		ws[i] = bufs[i]
	}
	m, err := Encode(bytes.NewReader(data), uint64(len(data)), opt, ws)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	out := make([][]byte, opt.N)
	for i, b := range bufs {
		out[i] = b.Bytes()
		if uint64(len(out[i])) != m.ShardSize() {
			t.Fatalf("shard %d: %d bytes, want %d", i, len(out[i]), m.ShardSize())
		}
	}
	return m, out
}

func key(seed byte) []byte { return bytes.Repeat([]byte{seed}, KeyLen) }

type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func randSource(seed uint64) io.Reader {
	return seeded{rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})}
}

func TestAnyKShardsRecover(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 10).Draw(t, "n")
		k := rapid.IntRange(1, n-1).Draw(t, "k")
		leaf := uint32(64) << rapid.IntRange(0, 3).Draw(t, "leafShift")
		seg := leaf * uint32(rapid.IntRange(1, 8).Draw(t, "segLeaves"))
		size := rapid.IntRange(0, 5000).Draw(t, "size")
		enc := rapid.Bool().Draw(t, "encrypt")
		data := rapid.SliceOfN(rapid.Byte(), size, size).Draw(t, "data")
		opt := Options{K: k, N: n, SegmentSize: seg, LeafSize: leaf, Encrypt: enc, Key: key(7), Rand: randSource(uint64(size))}
		m, shards := put(t, data, opt)
		for i := range shards {
			if _, err := ShardLeaves(m, i, bytes.NewReader(shards[i])); err != nil {
				t.Fatalf("shard %d does not match its root: %v", i, err)
			}
		}
		// Any k shards: a random subset of size k.
		perm := rapid.Permutation(seq(n)).Draw(t, "perm")
		readers := make([]io.ReaderAt, n)
		for _, i := range perm[:k] {
			readers[i] = bytes.NewReader(shards[i])
		}
		var out bytes.Buffer
		if err := Decode(m, key(7), readers, &out); err != nil {
			t.Fatalf("decode from %v: %v", perm[:k], err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("decoded %d bytes differ from the %d put", out.Len(), len(data))
		}
		// Repair: rebuild the missing shards from those k, byte for byte.
		outs := make([]io.Writer, n)
		rebuilt := make([]*bytes.Buffer, n)
		for _, i := range perm[k:] {
			rebuilt[i] = new(bytes.Buffer)
			outs[i] = rebuilt[i]
		}
		if err := Rebuild(m, readers, outs); err != nil {
			t.Fatalf("rebuild: %v", err)
		}
		for _, i := range perm[k:] {
			if !bytes.Equal(rebuilt[i].Bytes(), shards[i]) {
				t.Fatalf("rebuilt shard %d differs", i)
			}
		}
		// k-1 shards are not enough.
		if k > 1 {
			readers[perm[0]] = nil
			if err := Decode(m, key(7), readers, io.Discard); !errors.Is(err, ErrTooFewShards) {
				t.Fatalf("decode from k-1 shards: %v, want ErrTooFewShards", err)
			}
		}
	})
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestEncryptionNeedsTheKey(t *testing.T) {
	data := bytes.Repeat([]byte("secret "), 300)
	m, shards := put(t, data, Options{K: 2, N: 3, SegmentSize: 512, LeafSize: 64, Encrypt: true, Key: key(1), Rand: randSource(1)})
	for _, s := range shards {
		if bytes.Contains(s, []byte("secret")) {
			t.Fatalf("a shard holds plaintext")
		}
	}
	readers := []io.ReaderAt{bytes.NewReader(shards[0]), bytes.NewReader(shards[1]), nil}
	if err := Decode(m, key(2), readers, io.Discard); err == nil {
		t.Fatalf("decoded with the wrong key")
	}
	plain, _ := put(t, data, Options{K: 2, N: 3, SegmentSize: 512, LeafSize: 64})
	if plain.Cipher != CipherNone || plain.CID() == m.CID() {
		t.Fatalf("an unencrypted layout shares the encrypted one's CID or cipher")
	}
}

func TestCorruptShardIsRefused(t *testing.T) {
	m, shards := put(t, bytes.Repeat([]byte{1, 2, 3}, 1000), Options{K: 2, N: 4, SegmentSize: 256, LeafSize: 64})
	bad := append([]byte(nil), shards[1]...)
	bad[len(bad)/2] ^= 1
	if _, err := ShardLeaves(m, 1, bytes.NewReader(bad)); !errors.Is(err, ErrRootMismatch) {
		t.Fatalf("corrupt shard: %v, want ErrRootMismatch", err)
	}
	if _, err := ShardLeaves(m, 1, bytes.NewReader(shards[1][:len(shards[1])-1])); err == nil {
		t.Fatalf("short shard accepted")
	}
	if _, err := ShardLeaves(m, 1, bytes.NewReader(append(shards[1], 0))); err == nil {
		t.Fatalf("long shard accepted")
	}
	if _, err := ShardLeaves(m, 2, bytes.NewReader(shards[1])); !errors.Is(err, ErrRootMismatch) {
		t.Fatalf("shard 1 accepted as shard 2: %v", err)
	}
}

func TestEncodeRefusesWrongSize(t *testing.T) {
	ws := []io.Writer{io.Discard, io.Discard, io.Discard}
	if _, err := Encode(bytes.NewReader(make([]byte, 10)), 11, Options{K: 2, N: 3}, ws); err == nil {
		t.Fatalf("short input accepted")
	}
	if _, err := Encode(bytes.NewReader(make([]byte, 10)), 9, Options{K: 2, N: 3}, ws); err == nil {
		t.Fatalf("long input accepted")
	}
	if _, err := Encode(bytes.NewReader(nil), 0, Options{K: 3, N: 3}, ws); err == nil {
		t.Fatalf("k = n accepted")
	}
	if _, err := Encode(bytes.NewReader(nil), 0, Options{K: 2, N: 3, Encrypt: true, Key: key(1)}, ws); err == nil {
		t.Fatalf("encryption without a salt source accepted")
	}
}

func TestCIDRoundTrip(t *testing.T) {
	m, _ := put(t, []byte("hello"), Options{K: 1, N: 2, SegmentSize: 64, LeafSize: 64})
	c := m.CID()
	got, err := ParseCID(c.String())
	if err != nil || got != c {
		t.Fatalf("ParseCID(%s) = %v, %v", c, got, err)
	}
	for _, bad := range []string{"", "dst1", c.String()[:20], "xyz" + c.String()[3:], "dst1" + string(bytes.ToUpper([]byte(c.String()[4:])))} {
		if _, err := ParseCID(bad); err == nil {
			t.Errorf("ParseCID(%q) accepted", bad)
		}
	}
	if _, err := MatchesCID(m.Encode(), c); err != nil {
		t.Fatalf("MatchesCID: %v", err)
	}
	other := *m
	other.Size++
	if _, err := MatchesCID(other.Encode(), c); err == nil {
		t.Fatalf("a changed layout matched the CID")
	}
}

// TestEveryTamperedProofIsRejected: a proof verifies for exactly its leaf,
// index and path; flipping any bit of the leaf or of any path hash, taking
// another index, or dropping or adding a hash fails.
func TestEveryTamperedProofIsRejected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 5).Draw(t, "n")
		size := rapid.IntRange(1, 4000).Draw(t, "size")
		data := rapid.SliceOfN(rapid.Byte(), size, size).Draw(t, "data")
		m, shards := put(t, data, Options{K: 1, N: n, SegmentSize: 256, LeafSize: 64})
		i := rapid.IntRange(0, n-1).Draw(t, "shard")
		leaves, err := ShardLeaves(m, i, bytes.NewReader(shards[i]))
		if err != nil {
			t.Fatal(err)
		}
		tree := merkle.NewTree(leaves)
		idx := rapid.Uint64Range(0, m.Leaves()-1).Draw(t, "index")
		p, err := Prove(tree, bytes.NewReader(shards[i]), m.LeafSize, idx)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Verify(m, i) {
			t.Fatalf("honest proof of leaf %d rejected", idx)
		}
		enc := p.Encode()
		back, err := DecodeProof(enc)
		if err != nil || !back.Verify(m, i) {
			t.Fatalf("round trip: %v", err)
		}
		// Flip one bit of the leaf or of the path.
		bit := rapid.IntRange(0, (len(p.Leaf)+len(p.Path)*merkle.HashLen)*8-1).Draw(t, "bit")
		q := clone(p)
		if byteAt := bit / 8; byteAt < len(q.Leaf) {
			q.Leaf[byteAt] ^= 1 << (bit % 8)
		} else {
			off := byteAt - len(q.Leaf)
			q.Path[off/merkle.HashLen][off%merkle.HashLen] ^= 1 << (bit % 8)
		}
		if q.Verify(m, i) {
			t.Fatalf("tampered proof (bit %d) verifies", bit)
		}
		// Another index with the same leaf and path.
		if m.Leaves() > 1 {
			q = clone(p)
			q.Index = (p.Index + 1 + rapid.Uint64Range(0, m.Leaves()-2).Draw(t, "shift")) % m.Leaves()
			if bytes.Equal(q.Leaf, leafAt(shards[i], q.Index, m.LeafSize)) {
				return // identical leaves: the same bytes at another index
			}
			if q.Verify(m, i) {
				t.Fatalf("proof of leaf %d verifies at %d", p.Index, q.Index)
			}
		}
		// A path one hash shorter or longer.
		if len(p.Path) > 0 {
			q = clone(p)
			q.Path = q.Path[:len(q.Path)-1]
			if q.Verify(m, i) {
				t.Fatalf("truncated path verifies")
			}
		}
		q = clone(p)
		q.Path = append(q.Path, merkle.Hash{})
		if q.Verify(m, i) {
			t.Fatalf("extended path verifies")
		}
		// Another shard's root.
		if j := (i + 1) % n; m.Roots[j] != m.Roots[i] && p.Verify(m, j) {
			t.Fatalf("proof for shard %d verifies for shard %d", i, j)
		}
	})
}

func leafAt(shard []byte, i uint64, leaf uint32) []byte {
	return shard[i*uint64(leaf) : (i+1)*uint64(leaf)]
}

func clone(p *Proof) *Proof {
	return &Proof{Index: p.Index, Leaf: append([]byte(nil), p.Leaf...), Path: append([]merkle.Hash(nil), p.Path...)}
}
