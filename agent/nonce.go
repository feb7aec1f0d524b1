package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/durable"
)

// DefaultNonceBlock is how many nonces a NonceStore reserves per fsync.
const DefaultNonceBlock = 64

// ErrNoncesExhausted is returned when the nonce would overflow uint64.
var ErrNoncesExhausted = errors.New("nonces exhausted")

// NonceStore hands out a device's report nonces: strictly increasing, never
// reused across restarts. The state file records the highest nonce reserved;
// a block of nonces is reserved (written and fsynced) before the first of
// them is handed out, and a reopened store starts above the reservation. A
// crash therefore skips at most a block of nonces, which ingest allows (it
// only requires each nonce to exceed the last accepted one), and never
// reuses one.
//
// A store created without a state file starts at the clock in microseconds,
// so a device whose state file was lost still starts above the nonces it
// used before, as long as its clock has not gone back and it sent fewer
// than a million reports a second.
type NonceStore struct {
	path  string
	block uint64

	mu       sync.Mutex
	last     uint64 // last nonce handed out
	reserved uint64 // highest nonce durably reserved
}

type nonceFile struct {
	Version  int    `json:"version"`
	Reserved uint64 `json:"reserved"`
}

const nonceFileVersion = 1

// OpenNonceStore opens or creates the state file at path. block is how many
// nonces each fsync reserves (DefaultNonceBlock if 0); now is the clock used
// only when the file does not exist yet (time.Now if nil).
func OpenNonceStore(path string, block uint64, now func() time.Time) (*NonceStore, error) {
	if block == 0 {
		block = DefaultNonceBlock
	}
	if now == nil {
		now = time.Now
	}
	s := &NonceStore{path: path, block: block}
	b, err := readSmall(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		us := now().UnixMicro()
		if us < 0 {
			us = 0
		}
		s.last = uint64(us)
		s.reserved = s.last
	case err != nil:
		return nil, fmt.Errorf("agent: open nonce store: %w", err)
	default:
		res, err := parseNonceFile(b)
		if err != nil {
			return nil, fmt.Errorf("agent: open nonce store %s: %w", path, err)
		}
		s.last, s.reserved = res, res
	}
	return s, nil
}

// parseNonceFile decodes a state file and returns its reservation.
func parseNonceFile(b []byte) (uint64, error) {
	var f nonceFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return 0, fmt.Errorf("corrupt state: %w", err)
	}
	if f.Version != nonceFileVersion {
		return 0, fmt.Errorf("state version %d, want %d", f.Version, nonceFileVersion)
	}
	return f.Reserved, nil
}

// Next returns the next nonce. It fsyncs a new reservation first when the
// current one is used up; if that fails it returns the error and hands out
// nothing.
func (s *NonceStore) Next() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == math.MaxUint64 {
		return 0, fmt.Errorf("agent: next nonce: %w", ErrNoncesExhausted)
	}
	n := s.last + 1
	if n > s.reserved {
		res := s.reserved + s.block
		if res < s.reserved || res < n {
			res = math.MaxUint64
		}
		if err := s.write(res); err != nil {
			return 0, fmt.Errorf("agent: next nonce: %w", err)
		}
		s.reserved = res
	}
	s.last = n
	return n, nil
}

// Last returns the last nonce handed out (or the start, before any).
func (s *NonceStore) Last() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *NonceStore) write(reserved uint64) error {
	b, err := json.Marshal(nonceFile{Version: nonceFileVersion, Reserved: reserved})
	if err != nil {
		return err
	}
	return durable.WriteFile(s.path, append(b, '\n'), 0o600)
}

// readSmall reads a file of at most 4 KiB.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return nil, err
	}
	if len(b) > 4096 {
		return nil, fmt.Errorf("%s is larger than 4096 bytes", path)
	}
	return b, nil
}
