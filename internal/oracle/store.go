package oracle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/score"
)

// store keeps the oracle's outputs under a directory: every blob
// (segment, bundle, manifest, explanations, kind states, summary) in
// objects/<sha256 hex>, and per epoch a small record naming its blobs in
// epochs/<n>.json. When the oracle had to load an epoch's settled result
// from elsewhere (its own differed, or it had none), settled/<n>.json names
// the settled manifest and states it loaded. Files are written to a temporary name, synced and
// renamed, so a crash leaves either the old file or the new one; blobs are
// written before the record that names them.
type store struct {
	dir string

	mu       sync.Mutex
	verified map[string]bool // streamed objects whose content hash was checked
}

// epochRecord is epochs/<n>.json.
type epochRecord struct {
	Epoch        uint64   `json:"epoch"`
	Root         string   `json:"root"`
	InputsHash   string   `json:"inputs_hash"`
	Bundle       string   `json:"bundle"`
	Manifest     string   `json:"manifest"`
	Explanations string   `json:"explanations"`
	State        string   `json:"state"`
	Summary      string   `json:"summary"`
	Segments     []string `json:"segments"`
	Submitted    bool     `json:"submitted"`
	// JSONFormat is jsonLines when the explanations are JSON lines, one
	// device per line (explainstore.go, since issue 18); jsonStrings when
	// they are one JSON array and, like the summary, write 64-bit integers
	// as strings (since issue 11); 0 for older records, whose bare numbers
	// are read with apidoc.UnmarshalNumbers and re-encoded before they are
	// served.
	JSONFormat int `json:"json_format,omitempty"`
}

// jsonStrings is the JSONFormat of records written with 64-bit integers as
// strings.
const jsonStrings = 2

func openStore(dir string) (*store, error) {
	for _, d := range []string{"objects", "epochs", "settled"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("oracle: open store: %w", err)
		}
	}
	return &store{dir: dir}, nil
}

// put writes a blob and returns its hash in hex.
func (s *store) put(b []byte) (string, error) {
	sum := sha256.Sum256(b)
	name := hex.EncodeToString(sum[:])
	path := filepath.Join(s.dir, "objects", name)
	if _, err := os.Stat(path); err == nil {
		return name, nil
	}
	return name, durable.WriteFile(path, b, 0o644)
}

// get reads a blob by hex hash and checks its content.
func (s *store) get(name string) ([]byte, error) {
	if len(name) != 64 || strings.Trim(name, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("oracle: read object %q: %w", name, score.ErrNotFound)
	}
	b, err := os.ReadFile(filepath.Join(s.dir, "objects", name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("oracle: read object %s: %w", name, score.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("oracle: read object %s: %w", name, err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != name {
		return nil, fmt.Errorf("oracle: read object %s: content hash is %x: corrupt store", name, sum[:])
	}
	return b, nil
}

// save stores an epoch's blobs, then its record. The segments and bundle
// are those Prepare held (Published.Segments, Bundle) or those PrepareTo
// stored as it made them (Published.SegmentObjects, BundleObject: the store
// is its Sink).
func (s *store) save(p *Published, submitted bool) (*epochRecord, error) {
	rec := &epochRecord{Epoch: p.Epoch, Root: p.Output.Root.String(), InputsHash: hex.EncodeToString(p.BundleHash[:]), Submitted: submitted, JSONFormat: jsonLines}
	blobs := []struct {
		dst *string
		v   any
	}{
		{&rec.Summary, p.Output.Summary},
	}
	var err error
	if rec.Explanations, err = s.putExplanations(&p.Output); err != nil {
		return nil, fmt.Errorf("oracle: save epoch %d: %w", p.Epoch, err)
	}
	rec.Bundle = p.BundleObject
	if p.Bundle != nil {
		if rec.Bundle, err = s.put(p.Bundle); err != nil {
			return nil, err
		}
	}
	if rec.State, err = s.put(p.States); err != nil {
		return nil, err
	}
	if rec.Manifest, err = s.put(p.Manifest); err != nil {
		return nil, err
	}
	for _, seg := range p.Segments {
		h, err := s.put(seg)
		if err != nil {
			return nil, err
		}
		rec.Segments = append(rec.Segments, h)
	}
	rec.Segments = append(rec.Segments, p.SegmentObjects...)
	for _, bl := range blobs {
		b, err := json.Marshal(bl.v)
		if err != nil {
			return nil, fmt.Errorf("oracle: save epoch %d: %w", p.Epoch, err)
		}
		if *bl.dst, err = s.put(b); err != nil {
			return nil, err
		}
	}
	return rec, s.putRecord(rec)
}

// storeSink is the store as PrepareTo's Sink: it names the segments it
// keeps, for Published.SegmentObjects.
type storeSink struct {
	*store
	segments []string
}

// Segment implements Sink.
func (s *storeSink) Segment(raw []byte) error {
	name, err := s.put(raw)
	s.segments = append(s.segments, name)
	return err
}

// Bundle implements Sink.
func (s *storeSink) Bundle(write func(io.Writer) error) (string, error) {
	return s.putStream(write)
}

func (s *store) putRecord(rec *epochRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("oracle: save epoch %d: %w", rec.Epoch, err)
	}
	return durable.WriteFile(filepath.Join(s.dir, "epochs", strconv.FormatUint(rec.Epoch, 10)+".json"), b, 0o644)
}

// record reads an epoch's record.
func (s *store) record(n uint64) (*epochRecord, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "epochs", strconv.FormatUint(n, 10)+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("oracle: epoch %d: %w", n, score.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("oracle: read epoch %d: %w", n, err)
	}
	var rec epochRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("oracle: read epoch %d: %w", n, err)
	}
	return &rec, nil
}

// latest returns the highest epoch with a record, and false if none.
func (s *store) latest() (uint64, bool, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "epochs"))
	if err != nil {
		return 0, false, fmt.Errorf("oracle: list epochs: %w", err)
	}
	var best uint64
	found := false
	for _, e := range ents {
		n, err := strconv.ParseUint(strings.TrimSuffix(e.Name(), ".json"), 10, 64)
		if err != nil || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if !found || n > best {
			best, found = n, true
		}
	}
	return best, found, nil
}

// settledRecord is settled/<n>.json: the blobs of an epoch's settled
// manifest and states, as loaded from another source and checked against
// the chain.
type settledRecord struct {
	Epoch    uint64 `json:"epoch"`
	Manifest string `json:"manifest"`
	State    string `json:"state"`
}

func (s *store) settledPath(n uint64) string {
	return filepath.Join(s.dir, "settled", strconv.FormatUint(n, 10)+".json")
}

// putSettled keeps an epoch's settled manifest and states.
func (s *store) putSettled(p *Prior) error {
	rec := settledRecord{Epoch: p.Epoch}
	var err error
	if rec.Manifest, err = s.put(p.Manifest); err != nil {
		return err
	}
	if rec.State, err = s.put(p.StatesRaw); err != nil {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("oracle: save settled epoch %d: %w", p.Epoch, err)
	}
	return durable.WriteFile(s.settledPath(p.Epoch), b, 0o644)
}

// blobOf returns the blob an epoch's settled record names (if the oracle
// loaded the settled result from elsewhere), else the one its own record
// names.
func (s *store) blobOf(n uint64, settled func(*settledRecord) string, own func(*epochRecord) string) ([]byte, error) {
	if b, err := os.ReadFile(s.settledPath(n)); err == nil {
		var rec settledRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("oracle: read settled epoch %d: %w", n, err)
		}
		return s.get(settled(&rec))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("oracle: read settled epoch %d: %w", n, err)
	}
	rec, err := s.record(n)
	if err != nil {
		return nil, err
	}
	return s.get(own(rec))
}

// Manifest implements SettledSource with what the store holds of epoch n:
// the settled copy, else the oracle's own output. The caller checks it.
func (s *store) Manifest(_ context.Context, n uint64) ([]byte, error) {
	return s.blobOf(n, func(r *settledRecord) string { return r.Manifest }, func(r *epochRecord) string { return r.Manifest })
}

// State implements SettledSource like Manifest.
func (s *store) State(_ context.Context, n uint64) ([]byte, error) {
	return s.blobOf(n, func(r *settledRecord) string { return r.State }, func(r *epochRecord) string { return r.State })
}
