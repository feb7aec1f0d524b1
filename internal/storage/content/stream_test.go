package content

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/merkle"
)

// TestSinglePassMatchesEncode: Plan then EncodeTo (the streamed upload,
// some shards skipped) give the manifest and the shards of Encode, byte
// for byte, and the roots only at the end.
func TestSinglePassMatchesEncode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 9).Draw(t, "n")
		k := rapid.IntRange(1, n-1).Draw(t, "k")
		leaf := uint32(64) << rapid.IntRange(0, 2).Draw(t, "leafShift")
		seg := leaf * uint32(rapid.IntRange(1, 6).Draw(t, "segLeaves"))
		size := rapid.IntRange(0, 6000).Draw(t, "size")
		enc := rapid.Bool().Draw(t, "encrypt")
		data := rapid.SliceOfN(rapid.Byte(), size, size).Draw(t, "data")
		opt := Options{K: k, N: n, SegmentSize: seg, LeafSize: leaf, Encrypt: enc, Key: key(3), Rand: randSource(9)}
		m, shards := put(t, data, opt)
		opt.Rand = randSource(9)
		pm, err := Plan(uint64(size), opt)
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		if !SameLayout(pm, m) || !bytes.Equal(pm.Skeleton().Encode(), m.Skeleton().Encode()) {
			t.Fatalf("the plan's layout is not the encoded one")
		}
		skip := rapid.IntRange(0, n-1).Draw(t, "skip")
		bufs := make([]*bytes.Buffer, n)
		ws := make([]io.Writer, n)
		for i := range ws {
			if i != skip {
				bufs[i] = new(bytes.Buffer)
				ws[i] = bufs[i]
			}
		}
		if err := EncodeTo(bytes.NewReader(data), pm, key(3), ws); err != nil {
			t.Fatalf("encode to: %v", err)
		}
		if pm.CID() != m.CID() {
			t.Fatalf("single pass CID %s, encode CID %s", pm.CID(), m.CID())
		}
		for i := range bufs {
			if i != skip && !bytes.Equal(bufs[i].Bytes(), shards[i]) {
				t.Fatalf("shard %d of the single pass differs", i)
			}
		}
	})
}

// TestDecodeStreams: any K streams rebuild the file, data shards or not;
// a stream with a flipped bit, a short or a long stream is named in a
// *ShardError and nothing is claimed good.
func TestDecodeStreams(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 8).Draw(t, "n")
		k := rapid.IntRange(1, n-1).Draw(t, "k")
		size := rapid.IntRange(1, 5000).Draw(t, "size")
		enc := rapid.Bool().Draw(t, "encrypt")
		data := rapid.SliceOfN(rapid.Byte(), size, size).Draw(t, "data")
		m, shards := put(t, data, Options{K: k, N: n, SegmentSize: 512, LeafSize: 64, Encrypt: enc, Key: key(5), Rand: randSource(2)})
		perm := rapid.Permutation(seq(n)).Draw(t, "perm")
		streams := func() []io.Reader {
			s := make([]io.Reader, n)
			for _, i := range perm[:k] {
				s[i] = bytes.NewReader(shards[i])
			}
			return s
		}
		var out bytes.Buffer
		if err := DecodeStreams(m, key(5), streams(), &out); err != nil {
			t.Fatalf("decode from %v: %v", perm[:k], err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("decoded bytes differ")
		}
		victim := perm[rapid.IntRange(0, k-1).Draw(t, "victim")]
		for _, how := range []string{"flip", "short", "long"} {
			s := streams()
			b := append([]byte(nil), shards[victim]...)
			switch how {
			case "flip":
				b[rapid.IntRange(0, len(b)-1).Draw(t, "bit")] ^= 1
			case "short":
				b = b[:len(b)-1]
			case "long":
				b = append(b, 0)
			}
			s[victim] = bytes.NewReader(b)
			err := DecodeStreams(m, key(5), s, io.Discard)
			var se *ShardError
			switch {
			case err == nil:
				t.Fatalf("%s shard %d decoded", how, victim)
			case errors.As(err, &se) && se.Shard != victim:
				t.Fatalf("%s shard %d blamed on shard %d: %v", how, victim, se.Shard, err)
			case !errors.As(err, &se) && !enc:
				t.Fatalf("%s shard %d of a plaintext file: %v, want a *ShardError", how, victim, err)
			}
		}
		if k > 1 {
			s := streams()
			s[perm[0]] = nil
			if err := DecodeStreams(m, key(5), s, io.Discard); !errors.Is(err, ErrTooFewShards) {
				t.Fatalf("k-1 streams: %v, want ErrTooFewShards", err)
			}
		}
	})
}

// TestVersion1StillDecodes: a file put before manifest version 2
// (XChaCha20-Poly1305, testdata/v1 written by that code) keeps its CID and
// comes back byte for byte; a version 1 manifest naming a version 2
// cipher, and an unknown version, are refused.
func TestVersion1StillDecodes(t *testing.T) {
	raw, err := os.ReadFile("testdata/v1/manifest")
	if err != nil {
		t.Fatal(err)
	}
	m, err := DecodeManifest(raw)
	if err != nil {
		t.Fatalf("version 1 manifest: %v", err)
	}
	if m.Version != ManifestV1 || m.Cipher != CipherXChaCha20Poly1305 || !bytes.Equal(m.Encode(), raw) {
		t.Fatalf("version %d cipher %d, re-encodes equal: %v", m.Version, m.Cipher, bytes.Equal(m.Encode(), raw))
	}
	streams := make([]io.Reader, m.N)
	for i := 1; i < m.N; i++ { // shard 0 missing: reconstruction too
		b, err := os.ReadFile(filepath.Join("testdata/v1", "shard"+strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		streams[i] = bytes.NewReader(b)
	}
	var out bytes.Buffer
	if err := DecodeStreams(m, bytes.Repeat([]byte{7}, KeyLen), streams, &out); err != nil {
		t.Fatalf("decode version 1: %v", err)
	}
	if want := bytes.Repeat([]byte("a file put with manifest version 1 "), 300); !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("version 1 file differs")
	}
	bad := append([]byte(nil), raw...)
	bad[5] = byte(CipherAES256GCM)
	if _, err := DecodeManifest(bad); !errors.Is(err, ErrMalformed) {
		t.Fatalf("version 1 with AES-GCM: %v", err)
	}
	bad[4], bad[5] = 4, byte(CipherNone)
	if _, err := DecodeManifest(bad); !errors.Is(err, ErrMalformed) {
		t.Fatalf("version 4: %v", err)
	}
}

// TestNewUploadsUseVersion3: new manifests are version 3, seal with
// AES-256-GCM and commit to the segments' tags; a plaintext file's
// commitment is zero, and a commitment where none belongs is refused.
func TestNewUploadsUseVersion3(t *testing.T) {
	m, _ := put(t, []byte("x"), Options{K: 1, N: 2, SegmentSize: 64, LeafSize: 64, Encrypt: true, Key: key(1), Rand: randSource(1)})
	if m.Version != ManifestV3 || m.Cipher != CipherAES256GCM || m.Tags == [32]byte{} {
		t.Fatalf("version %d cipher %d tags %x", m.Version, m.Cipher, m.Tags)
	}
	if len(m.Encode()) != headerLen+m.N*merkle.HashLen+len(m.Tags) {
		t.Fatalf("version 3 manifest of %d bytes", len(m.Encode()))
	}
	if s := m.Skeleton(); s.Tags != [32]byte{} || !SameLayout(s, m) {
		t.Fatalf("the skeleton keeps the tags commitment")
	}
	p, _ := put(t, []byte("x"), Options{K: 1, N: 2, SegmentSize: 64, LeafSize: 64})
	if p.Version != ManifestV3 || p.Tags != [32]byte{} {
		t.Fatalf("plaintext: version %d tags %x", p.Version, p.Tags)
	}
	raw := p.Encode()
	raw[len(raw)-1] = 1
	if _, err := DecodeManifest(raw); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a plaintext manifest with a tags commitment: %v", err)
	}
	old := *m
	old.Version, old.Tags = ManifestV2, [32]byte{1}
	if err := old.Check(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a version 2 manifest with a tags commitment: %v", err)
	}
}

// TestTagsBindSealedFileToCID is review S1's repro: files A and B of the
// same size sealed with the same key and salt; B's shards served for A's
// manifest open under the key, but the tags commitment refuses them
// (a version 2 manifest, which has none, would return B's bytes), as the
// roots do.
func TestTagsBindSealedFileToCID(t *testing.T) {
	a := bytes.Repeat([]byte("file A "), 300)
	b := bytes.Repeat([]byte("file B "), 300)
	opt := func() Options {
		return Options{K: 2, N: 4, SegmentSize: 512, LeafSize: 64, Encrypt: true, Key: key(9), Rand: randSource(9)}
	}
	ma, sa := put(t, a, opt())
	mb, sb := put(t, b, opt())
	if ma.Salt != mb.Salt || ma.Tags == mb.Tags {
		t.Fatalf("setup: same salt %v, same tags %v", ma.Salt == mb.Salt, ma.Tags == mb.Tags)
	}
	var out bytes.Buffer
	if err := DecodeStreams(ma, key(9), []io.Reader{bytes.NewReader(sa[0]), bytes.NewReader(sa[1]), nil, nil}, &out); err != nil || !bytes.Equal(out.Bytes(), a) {
		t.Fatalf("A's own shards: %v", err)
	}
	err := DecodeStreams(ma, key(9), []io.Reader{bytes.NewReader(sb[0]), bytes.NewReader(sb[1]), nil, nil}, io.Discard)
	if !errors.Is(err, ErrTagsMismatch) {
		t.Fatalf("B's shards for A's content id: %v, want ErrTagsMismatch", err)
	}
	// Reconstruction from parity goes through the same check.
	err = DecodeStreams(ma, key(9), []io.Reader{nil, nil, bytes.NewReader(sb[2]), bytes.NewReader(sb[3])}, io.Discard)
	if !errors.Is(err, ErrTagsMismatch) {
		t.Fatalf("B's parity shards for A's content id: %v, want ErrTagsMismatch", err)
	}
	if _, err := ShardLeaves(ma, 0, bytes.NewReader(sb[0])); !errors.Is(err, ErrRootMismatch) {
		t.Fatalf("B's shard 0 against A's root: %v", err)
	}
	// A version 2 manifest is checked against the key only.
	v2 := *ma
	v2.Version, v2.Tags = ManifestV2, [32]byte{}
	out.Reset()
	if err := DecodeStreams(&v2, key(9), []io.Reader{bytes.NewReader(sb[0]), bytes.NewReader(sb[1]), nil, nil}, &out); err != nil || !bytes.Equal(out.Bytes(), b) {
		t.Fatalf("version 2: %v", err)
	}
}

// TestVersion2StillDecodes: a version 2 manifest (no tags commitment)
// encodes without one, decodes, re-encodes to the same bytes and its file
// comes back.
func TestVersion2StillDecodes(t *testing.T) {
	data := bytes.Repeat([]byte("version 2 "), 200)
	m, err := Plan(uint64(len(data)), Options{K: 2, N: 3, SegmentSize: 256, LeafSize: 64, Encrypt: true, Key: key(3), Rand: randSource(3)})
	if err != nil {
		t.Fatal(err)
	}
	m.Version = ManifestV2
	bufs := []*bytes.Buffer{new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)}
	if err := EncodeTo(bytes.NewReader(data), m, key(3), []io.Writer{bufs[0], bufs[1], bufs[2]}); err != nil {
		t.Fatal(err)
	}
	raw := m.Encode()
	if m.Tags != [32]byte{} || len(raw) != headerLen+m.N*merkle.HashLen {
		t.Fatalf("version 2 manifest of %d bytes, tags %x", len(raw), m.Tags)
	}
	got, err := MatchesCID(raw, m.CID())
	if err != nil || got.Version != ManifestV2 {
		t.Fatalf("version 2 manifest: %v", err)
	}
	var out bytes.Buffer
	if err := DecodeStreams(got, key(3), []io.Reader{nil, bytes.NewReader(bufs[1].Bytes()), bytes.NewReader(bufs[2].Bytes())}, &out); err != nil || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("decode version 2: %v", err)
	}
}

// TestSealedPaddingIsChecked: in a sealed file the bytes past the sealed
// segment are zero padding the AEAD does not cover; a provider that
// serves anything else there is refused, though the file would open.
func TestSealedPaddingIsChecked(t *testing.T) {
	data := bytes.Repeat([]byte("pad"), 400)
	m, shards := put(t, data, Options{K: 2, N: 3, SegmentSize: 512, LeafSize: 64, Encrypt: true, Key: key(4), Rand: randSource(4)})
	if m.PieceSize()*2 <= 512+m.Cipher.Overhead() {
		t.Fatalf("layout without padding: piece %d", m.PieceSize())
	}
	bad := append([]byte(nil), shards[1]...)
	bad[m.PieceSize()-1] ^= 0x80 // the last byte of segment 0's second piece: padding
	err := DecodeStreams(m, key(4), []io.Reader{bytes.NewReader(shards[0]), bytes.NewReader(bad), nil}, io.Discard)
	if !errors.Is(err, ErrPadding) {
		t.Fatalf("non-zero padding: %v, want ErrPadding", err)
	}
	if _, err := ShardLeaves(m, 1, bytes.NewReader(bad)); !errors.Is(err, ErrRootMismatch) {
		t.Fatalf("the same shard against its root: %v", err)
	}
}
