package content

import (
	"crypto/cipher"
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/reedsolomon"

	"github.com/depin-network/depin/internal/merkle"
)

// The encoder and the stream decoder move segments through a bounded
// pipeline: a fixed pool of segment buffers (poolDepth of them) is the
// back-pressure, CPU work (sealing, coding, hashing, opening) runs on
// workers() goroutines, and bytes are written in segment order. Memory is
// poolDepth segments whatever the file's size.

// workers is how many goroutines seal, code, hash or open segments.
func workers() int { return min(max(runtime.GOMAXPROCS(0), 1), 8) }

// poolDepth is how many segments are in flight.
func poolDepth() int { return workers() + 2 }

// abort records the first error of a pipeline and tells every stage to stop.
type abort struct {
	once sync.Once
	stop chan struct{}
	err  error
}

func newAbort() *abort { return &abort{stop: make(chan struct{})} }

func (a *abort) fail(err error) {
	a.once.Do(func() {
		a.err = err
		close(a.stop)
	})
}

func (a *abort) stopped() bool {
	select {
	case <-a.stop:
		return true
	default:
		return false
	}
}

// encJob is one segment in the encoder.
type encJob struct {
	s      uint64
	n      uint64 // plaintext bytes
	data   []byte // N pieces back to back
	pieces [][]byte
	leaves [][]merkle.Hash // per shard, this piece's leaf hashes
	done   chan struct{}
	refs   atomic.Int32
}

// runEncoder lays out m.Size bytes of r under m: it seals, codes and (with
// hash) Merklizes every segment, sets m.Roots when hashing, and writes
// piece i of every segment to shards[i] when shards[i] is not nil.
func runEncoder(r io.Reader, m *Manifest, master []byte, hash bool, shards []io.Writer) error {
	aead, err := fileAEAD(m, master)
	if err != nil {
		return err
	}
	rs, err := newRS(m)
	if err != nil {
		return err
	}
	piece := m.PieceSize()
	dataLen := uint64(m.K) * piece
	depth := poolDepth()
	free := make(chan *encJob, depth)
	for range depth {
		j := &encJob{data: make([]byte, uint64(m.N)*piece), pieces: make([][]byte, m.N), leaves: make([][]merkle.Hash, m.N)}
		for i := range j.pieces {
			j.pieces[i] = j.data[uint64(i)*piece : uint64(i+1)*piece]
		}
		free <- j
	}
	ab := newAbort()
	work := make(chan *encJob, depth)
	order := make(chan *encJob, depth)

	// Reader: fills free buffers in segment order.
	go func() {
		defer close(work)
		defer close(order)
		for s := range m.Segments() {
			var j *encJob
			select {
			case j = <-free:
			case <-ab.stop:
				return
			}
			j.s, j.n, j.done = s, m.segmentLen(s), make(chan struct{})
			if _, err := io.ReadFull(r, j.data[:j.n]); err != nil {
				ab.fail(fmt.Errorf("read segment %d: %w", s, err))
				return
			}
			work <- j
			order <- j
		}
		var one [1]byte
		if k, _ := r.Read(one[:]); k > 0 {
			ab.fail(fmt.Errorf("input is longer than %d bytes", m.Size))
		}
	}()

	// Workers: seal in place, pad, code, hash.
	var wg sync.WaitGroup
	for range workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lh := newLeafHasher()
			for j := range work {
				if !ab.stopped() {
					if err := encodeSegment(j, m, aead, rs, dataLen, hash, lh); err != nil {
						ab.fail(err)
					}
				}
				close(j.done)
			}
		}()
	}

	// Shard writers: one goroutine per shard, fed in segment order; the
	// last one to finish with a segment gives its buffer back.
	var feeds []chan *encJob
	var wwg sync.WaitGroup
	writers := 0
	for _, w := range shards {
		if w != nil {
			writers++
		}
	}
	if writers > 0 {
		feeds = make([]chan *encJob, m.N)
		for i, w := range shards {
			if w == nil {
				continue
			}
			feeds[i] = make(chan *encJob, depth)
			wwg.Add(1)
			go func() {
				defer wwg.Done()
				for j := range feeds[i] {
					if !ab.stopped() {
						if _, err := w.Write(j.pieces[i]); err != nil {
							ab.fail(fmt.Errorf("write shard %d: %w", i, err))
						}
					}
					if j.refs.Add(-1) == 0 {
						free <- j
					}
				}
			}()
		}
	}

	// Collector: in segment order, gathers leaf hashes and hands pieces to
	// the shard writers.
	// With hash, a version 3 sealed file's tags commitment: every
	// segment's tag (after its ciphertext) in segment order.
	var tags hash256
	if hash && aead != nil && m.Version >= ManifestV3 {
		tags = sha256.New()
	}
	leaves := make([][]merkle.Hash, m.N)
	if hash {
		for i := range leaves {
			leaves[i] = make([]merkle.Hash, 0, m.Leaves())
		}
	}
	for j := range order {
		<-j.done
		if ab.stopped() {
			continue
		}
		if hash {
			for i := range leaves {
				leaves[i] = append(leaves[i], j.leaves[i]...)
			}
		}
		if tags != nil {
			tags.Write(j.data[j.n : j.n+m.Cipher.Overhead()])
		}
		if writers == 0 {
			free <- j
			continue
		}
		j.refs.Store(int32(writers))
		for i := range feeds {
			if feeds[i] != nil {
				feeds[i] <- j
			}
		}
	}
	for _, f := range feeds {
		if f != nil {
			close(f)
		}
	}
	wwg.Wait()
	wg.Wait()
	if ab.err != nil {
		return ab.err
	}
	if hash {
		for i := range leaves {
			m.Roots[i] = merkle.RootInPlace(leaves[i])
		}
	}
	if tags != nil {
		tags.Sum(m.Tags[:0])
	}
	return nil
}

// hash256 is the running SHA-256 of a tags commitment.
type hash256 = interface {
	io.Writer
	Sum([]byte) []byte
}

// encodeSegment seals segment j.s in place, zero-pads it to K pieces,
// computes the N-K parity pieces and, with hash, every piece's leaf hashes.
func encodeSegment(j *encJob, m *Manifest, aead cipher.AEAD, rs reedsolomon.Encoder, dataLen uint64, hash bool, lh leafHasher) error {
	sealed := j.n
	if aead != nil {
		sealed = uint64(len(aead.Seal(j.data[:0], segmentNonce(aead, j.s), j.data[:j.n], m.segmentAssoc(j.s))))
	}
	clear(j.data[sealed:dataLen])
	if err := rs.Encode(j.pieces); err != nil {
		return fmt.Errorf("erasure code segment %d: %w", j.s, err)
	}
	if hash {
		for i, p := range j.pieces {
			j.leaves[i] = j.leaves[i][:0]
			for off := 0; off < len(p); off += int(m.LeafSize) {
				j.leaves[i] = append(j.leaves[i], lh.sum(p[off:off+int(m.LeafSize)]))
			}
		}
	}
	return nil
}
