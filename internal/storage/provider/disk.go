package provider

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/storage/content"
)

// ErrNotFound says a manifest or shard is not kept here.
var ErrNotFound = errors.New("not found")

// Disk keeps manifests and shards under a directory:
//
//	manifests/<cid>        a manifest's canonical bytes
//	shards/<cid>.<i>       shard i of a file
//	shards/<cid>.<i>.tree  its leaf hashes (32 bytes each)
//	tmp/                   uploads in progress (removed at start)
type Disk struct {
	dir string
	mu  sync.Mutex
	// used counts the bytes of kept shards.
	used int64
}

// OpenDisk opens (creating) a directory and removes leftovers of uploads
// that never completed.
func OpenDisk(dir string) (*Disk, error) {
	for _, sub := range []string{"manifests", "shards", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("provider: disk: %w", err)
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, "tmp")); err != nil {
		return nil, fmt.Errorf("provider: disk: clear tmp: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("provider: disk: %w", err)
	}
	d := &Disk{dir: dir}
	ents, err := os.ReadDir(filepath.Join(dir, "shards"))
	if err != nil {
		return nil, fmt.Errorf("provider: disk: %w", err)
	}
	for _, e := range ents {
		if info, err := e.Info(); err == nil && filepath.Ext(e.Name()) != ".tree" {
			d.used += info.Size()
		}
	}
	return d, nil
}

// Used is the bytes of kept shards.
func (d *Disk) Used() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.used
}

func (d *Disk) manifestPath(c content.CID) string {
	return filepath.Join(d.dir, "manifests", c.String())
}
func (d *Disk) shardPath(c content.CID, i int) string {
	return filepath.Join(d.dir, "shards", c.String()+"."+strconv.Itoa(i))
}

// writeAtomic writes a file through tmp/, synced and renamed into place,
// then syncs the directory: the file exists whole or not at all.
func (d *Disk) writeAtomic(path string, fill func(f *os.File) error) error {
	return d.writeAtomicTo(func(f *os.File) (string, error) { return path, fill(f) })
}

// writeAtomicTo is writeAtomic for a file whose place is known only once
// it is written: fill returns it.
func (d *Disk) writeAtomicTo(fill func(f *os.File) (string, error)) error {
	f, err := os.CreateTemp(filepath.Join(d.dir, "tmp"), "up-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	path, err := fill(f)
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// PutManifest keeps a manifest after checking it hashes to cid.
func (d *Disk) PutManifest(c content.CID, b []byte) (*content.Manifest, error) {
	m, err := content.MatchesCID(b, c)
	if err != nil {
		return nil, err
	}
	if old, err := os.ReadFile(d.manifestPath(c)); err == nil && bytes.Equal(old, b) {
		return m, nil
	}
	return m, d.writeAtomic(d.manifestPath(c), func(f *os.File) error { _, err := f.Write(b); return err })
}

// Manifest reads a kept manifest.
func (d *Disk) Manifest(c content.CID) (*content.Manifest, []byte, error) {
	b, err := os.ReadFile(d.manifestPath(c))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	m, err := content.MatchesCID(b, c)
	return m, b, err
}

// PutShard streams shard i of a kept manifest from r into place, checking
// it against the manifest's root on the way; a shard that does not match
// is dropped and never counts.
func (d *Disk) PutShard(c content.CID, i int, r io.Reader) error {
	m, _, err := d.Manifest(c)
	if err != nil {
		return err
	}
	var leaves []merkle.Hash
	err = d.writeAtomic(d.shardPath(c, i), func(f *os.File) error {
		var err error
		leaves, err = content.ShardLeaves(m, i, io.TeeReader(io.LimitReader(r, int64(m.ShardSize())+1), &writeback{f: f}))
		return err
	})
	if err != nil {
		return err
	}
	tree := make([]byte, 0, len(leaves)*merkle.HashLen)
	for _, h := range leaves {
		tree = append(tree, h[:]...)
	}
	if err := d.writeAtomic(d.shardPath(c, i)+".tree", func(f *os.File) error { _, err := f.Write(tree); return err }); err != nil {
		return err
	}
	d.mu.Lock()
	d.used += int64(m.ShardSize())
	d.mu.Unlock()
	return nil
}

// PutShardStream streams shard i of a file whose manifest is not known
// yet (a single-pass upload): layout is the manifest without its roots,
// which fixes the shard's size and leaves; once r ends, manifest returns
// the whole manifest (an HTTP trailer), which must have that layout and
// the root the streamed bytes hash to. The shard is then kept under the
// manifest's content id with the manifest; anything else is dropped and
// never counts. It returns the content id.
func (d *Disk) PutShardStream(layout *content.Manifest, i int, r io.Reader, manifest func() []byte) (content.CID, error) {
	if i < 0 || i >= layout.N {
		return content.CID{}, fmt.Errorf("shard %d of %d: %w", i, layout.N, content.ErrMalformed)
	}
	var leaves []merkle.Hash
	var m *content.Manifest
	var raw []byte
	err := d.writeAtomicTo(func(f *os.File) (string, error) {
		var err error
		leaves, err = content.StreamLeaves(layout, io.TeeReader(io.LimitReader(r, int64(layout.ShardSize())+1), &writeback{f: f}))
		if err != nil {
			return "", fmt.Errorf("shard %d: %w", i, err)
		}
		raw = manifest()
		if m, err = content.DecodeManifest(raw); err != nil {
			return "", err
		}
		if !content.SameLayout(m, layout) {
			return "", fmt.Errorf("the manifest's layout is not the upload's: %w", content.ErrMalformed)
		}
		if root := merkle.Root(leaves); root != m.Roots[i] {
			return "", fmt.Errorf("shard %d: root %s, want %s: %w", i, root, m.Roots[i], content.ErrRootMismatch)
		}
		// The manifest is kept before the shard: a shard never sits
		// without it.
		if _, err := d.PutManifest(m.CID(), raw); err != nil {
			return "", err
		}
		return d.shardPath(m.CID(), i), nil
	})
	if err != nil {
		return content.CID{}, err
	}
	c := m.CID()
	tree := make([]byte, 0, len(leaves)*merkle.HashLen)
	for _, h := range leaves {
		tree = append(tree, h[:]...)
	}
	if err := d.writeAtomic(d.shardPath(c, i)+".tree", func(f *os.File) error { _, err := f.Write(tree); return err }); err != nil {
		os.Remove(d.shardPath(c, i))
		return content.CID{}, err
	}
	d.mu.Lock()
	d.used += int64(m.ShardSize())
	d.mu.Unlock()
	return c, nil
}

// HasShard reports whether shard i of c is kept.
func (d *Disk) HasShard(c content.CID, i int) bool {
	_, err := os.Stat(d.shardPath(c, i))
	return err == nil
}

// OpenShard opens a kept shard.
func (d *Disk) OpenShard(c content.CID, i int) (*os.File, error) {
	f, err := os.Open(d.shardPath(c, i))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// DeleteShard removes a shard (a deal that ended, or an adversary).
func (d *Disk) DeleteShard(c content.CID, i int) {
	if info, err := os.Stat(d.shardPath(c, i)); err == nil {
		d.mu.Lock()
		d.used -= info.Size()
		d.mu.Unlock()
	}
	os.Remove(d.shardPath(c, i))
	os.Remove(d.shardPath(c, i) + ".tree")
}

// Prove builds the proof of leaf index of a kept shard.
func (d *Disk) Prove(c content.CID, i int, index uint64) (*content.Proof, error) {
	m, _, err := d.Manifest(c)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(d.shardPath(c, i) + ".tree")
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if uint64(len(raw)) != m.Leaves()*merkle.HashLen {
		return nil, fmt.Errorf("provider: shard %s.%d: tree of %d bytes", c, i, len(raw))
	}
	leaves := make([]merkle.Hash, m.Leaves())
	for j := range leaves {
		copy(leaves[j][:], raw[j*merkle.HashLen:])
	}
	f, err := d.OpenShard(c, i)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return content.Prove(merkle.NewTree(leaves), f, m.LeafSize, index)
}

// writebackChunk is how many bytes a shard upload writes before it asks
// the kernel to start putting them on the disk.
const writebackChunk = 8 << 20

// writeback writes to a file and starts the disk writing every
// writebackChunk bytes (startWriteback), so that the disk keeps pace with
// the upload instead of taking all of it at the final fsync.
type writeback struct {
	f       *os.File
	off     int64 // bytes written
	flushed int64 // bytes handed to the disk
}

func (w *writeback) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	w.off += int64(n)
	if w.off-w.flushed >= writebackChunk {
		startWriteback(w.f, w.flushed, w.off-w.flushed)
		w.flushed = w.off
	}
	return n, err
}
