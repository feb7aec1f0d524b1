package content

import (
	"crypto/cipher"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/klauspost/reedsolomon"

	"github.com/depin-network/depin/internal/merkle"
)

func newRS(m *Manifest) (reedsolomon.Encoder, error) { return reedsolomon.New(m.K, m.N-m.K) }

// decJob is one segment in the stream decoder.
type decJob struct {
	s       uint64
	data    []byte   // N piece slots back to back; the K data pieces are the sealed segment
	pieces  [][]byte // what reedsolomon sees: present pieces, empty slots for the missing
	plain   []byte
	tag     []byte       // the sealed segment's AEAD tag, kept for the tags commitment
	pending atomic.Int32 // shard streams still reading into it
	done    chan struct{}
}

// runDecoder reads the first K present shards of streams piece by piece
// (one goroutine per stream, hashing with verify), rebuilds missing data
// pieces, opens segments on workers() goroutines and writes them to w in
// order.
func runDecoder(m *Manifest, master []byte, streams []io.Reader, verify bool, w io.Writer) error {
	var use []int
	for i, s := range streams {
		if s != nil && len(use) < m.K {
			use = append(use, i)
		}
	}
	if len(use) < m.K {
		return fmt.Errorf("%d of %d shards needed: %w", len(use), m.K, ErrTooFewShards)
	}
	reconstruct := use[m.K-1] != m.K-1 // some data shard is missing
	aead, err := fileAEAD(m, master)
	if err != nil {
		return err
	}
	rs, err := newRS(m)
	if err != nil {
		return err
	}
	piece := m.PieceSize()
	depth := poolDepth()
	free := make(chan *decJob, depth)
	slots := uint64(m.K) // the data pieces, back to back
	if reconstruct {
		slots = uint64(m.N)
	}
	for range depth {
		free <- &decJob{data: make([]byte, slots*piece), pieces: make([][]byte, m.N), tag: make([]byte, m.Cipher.Overhead())}
	}
	ab := newAbort()
	feeds := make([]chan *decJob, len(use))
	for k := range feeds {
		feeds[k] = make(chan *decJob, depth)
	}
	work := make(chan *decJob, depth)
	order := make(chan *decJob, depth)

	// Dispatcher: hands free buffers to every stream in segment order.
	go func() {
		defer close(order)
		defer func() {
			for _, f := range feeds {
				close(f)
			}
		}()
		for s := range m.Segments() {
			var j *decJob
			select {
			case j = <-free:
			case <-ab.stop:
				return
			}
			j.s, j.done = s, make(chan struct{})
			for i := range j.pieces {
				j.pieces[i] = nil
				if uint64(i) < slots {
					j.pieces[i] = j.data[uint64(i)*piece : uint64(i)*piece] // missing: reconstruct in place
				}
			}
			j.pending.Store(int32(len(use)))
			for k := range feeds {
				feeds[k] <- j
			}
			order <- j
		}
	}()

	// Streams: read each piece into its slot, hash it, and pass the
	// segment on when its last piece is in.
	var swg sync.WaitGroup
	for k, i := range use {
		swg.Add(1)
		go func() {
			defer swg.Done()
			lh := newLeafHasher()
			var leaves []merkle.Hash
			if verify {
				leaves = make([]merkle.Hash, 0, m.Leaves())
			}
			failed := false
			for j := range feeds[k] {
				if !failed && !ab.stopped() {
					p := j.data[uint64(i)*piece : uint64(i+1)*piece]
					if _, err := io.ReadFull(streams[i], p); err != nil {
						ab.fail(&ShardError{Shard: i, Err: fmt.Errorf("segment %d: %w", j.s, err)})
						failed = true
					} else {
						j.pieces[i] = p
						if verify {
							for off := uint64(0); off < piece; off += uint64(m.LeafSize) {
								leaves = append(leaves, lh.sum(p[off:off+uint64(m.LeafSize)]))
							}
						}
					}
				} else {
					failed = true
				}
				if j.pending.Add(-1) == 0 {
					work <- j
				}
			}
			if failed || ab.stopped() {
				return
			}
			var one [1]byte
			if n, _ := streams[i].Read(one[:]); n > 0 {
				ab.fail(&ShardError{Shard: i, Err: fmt.Errorf("longer than %d bytes: %w", m.ShardSize(), ErrMalformed)})
				return
			}
			if !verify {
				return
			}
			if root := merkle.RootInPlace(leaves); root != m.Roots[i] {
				ab.fail(&ShardError{Shard: i, Err: fmt.Errorf("root %s, want %s: %w", root, m.Roots[i], ErrRootMismatch)})
			}
		}()
	}
	go func() {
		swg.Wait()
		close(work)
	}()

	// Workers: rebuild missing data pieces and open the segment in place.
	var wwg sync.WaitGroup
	for range workers() {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			for j := range work {
				if !ab.stopped() {
					if err := openSegment(j, m, aead, rs, reconstruct, piece); err != nil {
						ab.fail(err)
					}
				}
				close(j.done)
			}
		}()
	}

	// Writer: in segment order, hashing a version 3 sealed file's tags
	// for its commitment.
	var tags hash256
	if aead != nil && m.Version >= ManifestV3 {
		tags = sha256.New()
	}
	for j := range order {
		select {
		case <-j.done:
		case <-ab.stop:
		}
		if ab.stopped() {
			continue
		}
		if tags != nil {
			tags.Write(j.tag)
		}
		if _, err := w.Write(j.plain); err != nil {
			ab.fail(fmt.Errorf("write: %w", err))
			continue
		}
		free <- j
	}
	if tags != nil && !ab.stopped() && [32]byte(tags.Sum(nil)) != m.Tags {
		ab.fail(fmt.Errorf("the segments' tags are not the ones the content id commits to: %w", ErrTagsMismatch))
	}
	if ab.stopped() {
		for _, i := range use {
			if c, ok := streams[i].(io.Closer); ok {
				c.Close()
			}
		}
	}
	swg.Wait()
	wwg.Wait()
	return ab.err
}

// openSegment rebuilds the missing data pieces of segment j.s (reconstruct)
// and opens it in place.
func openSegment(j *decJob, m *Manifest, aead cipher.AEAD, rs reedsolomon.Encoder, reconstruct bool, piece uint64) error {
	if reconstruct {
		if err := rs.ReconstructData(j.pieces); err != nil {
			return fmt.Errorf("segment %d: %w", j.s, err)
		}
		// ReconstructData fills the empty slots in place: the data pieces
		// are back to back in j.data again.
		for i := range m.K {
			if &j.pieces[i][0] != &j.data[uint64(i)*piece] {
				copy(j.data[uint64(i)*piece:], j.pieces[i])
			}
		}
	}
	n := m.segmentLen(j.s)
	if aead == nil {
		j.plain = j.data[:n]
		return nil
	}
	// Every byte of the data pieces is now checked: the sealed segment by
	// its tag, the padding by being zero.
	sealed := n + m.Cipher.Overhead()
	for _, b := range j.data[sealed : uint64(m.K)*piece] {
		if b != 0 {
			return fmt.Errorf("segment %d: padding is not zero: %w", j.s, ErrPadding)
		}
	}
	copy(j.tag, j.data[n:sealed])
	plain, err := aead.Open(j.data[:0], segmentNonce(aead, j.s), j.data[:n+m.Cipher.Overhead()], m.segmentAssoc(j.s))
	if err != nil {
		return fmt.Errorf("segment %d does not open (wrong key or corrupt shards): %w", j.s, err)
	}
	j.plain = plain
	return nil
}
