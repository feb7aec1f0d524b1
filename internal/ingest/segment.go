package ingest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/segment"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// segmentEntry is one line of the segment index file.
type segmentEntry struct {
	Hash       string `json:"hash"`
	Epoch      uint64 `json:"epoch"`
	MerkleRoot string `json:"merkle_root"`
	Count      uint64 `json:"count"`
	FirstSeq   uint64 `json:"first_seq"`
	LastSeq    uint64 `json:"last_seq"`
	Committed  bool   `json:"committed,omitempty"`
}

// segmentStore keeps segment files by hash under dir and an append-only
// index of them (index.jsonl: one line per stored segment and one per
// commitment made). Files are written and fsynced before their index line.
type segmentStore struct {
	dir string

	mu      sync.RWMutex
	index   *os.File
	list    []*segmentEntry // in log order
	byHash  map[string]*segmentEntry
	byEpoch map[uint64][]*segmentEntry
}

func openSegmentStore(dir string) (*segmentStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("ingest: open segments: %w", err)
	}
	s := &segmentStore{dir: dir, byHash: make(map[string]*segmentEntry), byEpoch: make(map[uint64][]*segmentEntry)}
	path := filepath.Join(dir, "index.jsonl")
	valid, err := s.load(path)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ingest: open segments: %w", err)
	}
	// Drop a line torn by a crash so that appends start on a line boundary.
	if err := f.Truncate(valid); err != nil {
		f.Close()
		return nil, fmt.Errorf("ingest: open segments: %w", err)
	}
	if _, err := f.Seek(valid, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("ingest: open segments: %w", err)
	}
	s.index = f
	return s, nil
}

// load reads the index and returns the length of its valid prefix.
func (s *segmentStore) load(path string) (int64, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("ingest: load segment index: %w", err)
	}
	defer f.Close()
	var valid int64
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return valid, nil // EOF, or a torn last line
		}
		var e segmentEntry
		if json.Unmarshal(line, &e) != nil {
			return valid, nil
		}
		valid += int64(len(line))
		if old, ok := s.byHash[e.Hash]; ok {
			old.Committed = old.Committed || e.Committed
			continue
		}
		s.add(&e)
	}
}

func (s *segmentStore) add(e *segmentEntry) {
	s.list = append(s.list, e)
	s.byHash[e.Hash] = e
	s.byEpoch[e.Epoch] = append(s.byEpoch[e.Epoch], e)
}

func (s *segmentStore) appendLine(e *segmentEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("ingest: write segment index: %w", err)
	}
	if _, err := s.index.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("ingest: write segment index: %w", err)
	}
	if err := s.index.Sync(); err != nil {
		return fmt.Errorf("ingest: write segment index: %w", err)
	}
	return nil
}

// put stores a segment file and indexes it; lastSeq is the log sequence of
// its last record. leaves are the records' leaf hashes, if known (nil: put
// computes them).
func (s *segmentStore) put(seg *ingestv1.Segment, lastSeq uint64, leaves []merkle.Hash) (*segmentEntry, error) {
	b, err := segment.Encode(seg)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	var root [32]byte
	if leaves != nil {
		root = merkle.Root(leaves)
	} else {
		root = segment.Root(seg)
	}
	n := uint64(len(seg.GetRecords()))
	e := &segmentEntry{
		Hash:       hex.EncodeToString(sum[:]),
		Epoch:      seg.GetEpoch(),
		MerkleRoot: hex.EncodeToString(root[:]),
		Count:      n,
		FirstSeq:   seg.GetFirstSeq(),
		LastSeq:    lastSeq,
	}
	if err := durable.WriteFile(filepath.Join(s.dir, e.Hash), b, 0o644); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.appendLine(e); err != nil {
		return nil, err
	}
	s.add(e)
	return e, nil
}

// markCommitted records that a segment's commitment was accepted.
func (s *segmentStore) markCommitted(hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byHash[hash]
	if !ok || e.Committed {
		return nil
	}
	line := *e
	line.Committed = true
	if err := s.appendLine(&line); err != nil {
		return err
	}
	e.Committed = true
	return nil
}

// last returns the last stored segment, or nil.
func (s *segmentStore) last() *segmentEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.list) == 0 {
		return nil
	}
	e := *s.list[len(s.list)-1]
	return &e
}

// uncommitted returns the segments not yet committed, in log order.
func (s *segmentStore) uncommitted() []segmentEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []segmentEntry
	for _, e := range s.list {
		if !e.Committed {
			out = append(out, *e)
		}
	}
	return out
}

// epoch lists the segments of an epoch in log order.
func (s *segmentStore) epoch(n uint64) []segmentEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]segmentEntry, 0, len(s.byEpoch[n]))
	for _, e := range s.byEpoch[n] {
		out = append(out, *e)
	}
	return out
}

// all lists every segment in log order.
func (s *segmentStore) all() []segmentEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]segmentEntry, 0, len(s.list))
	for _, e := range s.list {
		out = append(out, *e)
	}
	return out
}

// path returns the file of a stored segment, if the hash names one.
func (s *segmentStore) path(hash string) (string, bool) {
	p, _, ok := s.lookup(hash)
	return p, ok
}

// lookup returns the file and epoch of a stored segment, if the hash names
// one.
func (s *segmentStore) lookup(hash string) (string, uint64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.byHash[hash]
	if !ok {
		return "", 0, false
	}
	return filepath.Join(s.dir, hash), e.Epoch, true
}

func (s *segmentStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil {
		return nil
	}
	err := s.index.Close()
	s.index = nil
	return err
}
