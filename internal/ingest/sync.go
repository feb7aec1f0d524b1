package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// syncer makes the embedded stream's appended messages durable with one
// fsync per group of batches (group commit). The single-replica file store
// writes every message to its block file before acknowledging it
// (nats-server filestore.go: flush in place unless AsyncFlush); fsync of the
// block files then puts those bytes on stable storage. A caller that asks
// after its acknowledgements arrived is covered by the first fsync that
// starts after it asked.
type syncer struct {
	dir     string
	tickets atomic.Uint64
	mu      sync.Mutex
	covered uint64 // highest ticket covered by a completed fsync
	maxBlk  uint64 // highest block index seen by the last fsync
}

func newSyncer(dir string) *syncer { return &syncer{dir: dir} }

// Sync returns once every message acknowledged before the call is on stable
// storage.
func (s *syncer) Sync() error {
	ticket := s.tickets.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.covered >= ticket {
		return nil
	}
	upto := s.tickets.Load()
	if err := s.fsync(); err != nil {
		return err
	}
	s.covered = upto
	return nil
}

// fsync syncs the block files written since the last sync (the newest ones:
// the store only appends to its last block) and, if a new block appeared,
// the directory.
func (s *syncer) fsync() error {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("ingest: sync log: %w", err)
	}
	var max uint64
	var blks []uint64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".blk")
		if !ok {
			continue
		}
		idx, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		if idx > max {
			max = idx
		}
		blks = append(blks, idx)
	}
	for _, idx := range blks {
		if idx < s.maxBlk {
			continue
		}
		if err := syncFile(filepath.Join(s.dir, strconv.FormatUint(idx, 10)+".blk")); err != nil {
			return err
		}
	}
	if max > s.maxBlk {
		if err := syncFile(s.dir); err != nil {
			return err
		}
		s.maxBlk = max
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil // a block compacted away after the listing
		}
		return fmt.Errorf("ingest: sync log: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("ingest: sync log: %w", err)
	}
	return nil
}
