package oracle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
)

// store keeps the oracle's outputs under a directory: every blob
// (segment, bundle, manifest, explanations, kind states, summary) in
// objects/<sha256 hex>, and per epoch a small record naming its blobs in
// epochs/<n>.json. Files are written to a temporary name, synced and
// renamed, so a crash leaves either the old file or the new one; blobs are
// written before the record that names them.
type store struct {
	dir string
}

// stateJSON is the state one kind left after an epoch.
type stateJSON struct {
	Kind  string `json:"kind"`
	State string `json:"state"` // hex
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
}

func openStore(dir string) (*store, error) {
	for _, d := range []string{"objects", "epochs"} {
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

// save stores an epoch's blobs, then its record.
func (s *store) save(p *Published, submitted bool) (*epochRecord, error) {
	rec := &epochRecord{Epoch: p.Epoch, Root: p.Output.Root.String(), InputsHash: hex.EncodeToString(p.BundleHash[:]), Submitted: submitted}
	states := make([]stateJSON, len(p.Output.Kinds))
	for i, k := range p.Output.Kinds {
		states[i] = stateJSON{Kind: k.Name, State: hex.EncodeToString(k.State)}
	}
	blobs := []struct {
		dst *string
		v   any
	}{
		{&rec.Explanations, p.Output.Devices}, {&rec.State, states}, {&rec.Summary, p.Output.Summary},
	}
	var err error
	if rec.Bundle, err = s.put(p.Bundle); err != nil {
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

// prior loads what the next epoch needs of epoch n: its root, manifest
// entries and activity.
func (s *store) prior(n uint64) (*Published, error) {
	rec, err := s.record(n)
	if err != nil {
		return nil, err
	}
	mb, err := s.get(rec.Manifest)
	if err != nil {
		return nil, err
	}
	m, err := reward.DecodeManifest(mb)
	if err != nil {
		return nil, fmt.Errorf("oracle: load epoch %d: %w", n, err)
	}
	sb, err := s.get(rec.State)
	if err != nil {
		return nil, err
	}
	var states []stateJSON
	if err := json.Unmarshal(sb, &states); err != nil {
		return nil, fmt.Errorf("oracle: load epoch %d state: %w", n, err)
	}
	p := &Published{Epoch: n, Manifest: mb}
	p.Output.Root = m.Root()
	p.Output.Reward.Manifest = *m
	for _, st := range states {
		b, err := hex.DecodeString(st.State)
		if err != nil {
			return nil, fmt.Errorf("oracle: load epoch %d state: %w", n, err)
		}
		ko := score.KindOutput{Name: st.Kind}
		if len(b) > 0 {
			ko.State = b
		}
		p.Output.Kinds = append(p.Output.Kinds, ko)
	}
	return p, nil
}
