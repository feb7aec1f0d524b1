package oracle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/score"
)

// Explanations are stored as JSON lines (the record's JSONFormat
// jsonLines): one device's explanation per line, exactly as the API serves
// it (json.Marshal), sorted by device. The file is written one device at a
// time as the epoch is explained, so an epoch's explanations are never
// encoded in one piece; a device's line is found by a binary search over
// the file; and the API's array of every explanation is the lines joined by
// commas between brackets, the same bytes as json.Marshal of the list.

// jsonLines is the JSONFormat of records whose explanations are JSON lines.
const jsonLines = 3

// putExplanations writes out's explanations as a JSON lines object and
// returns its name.
func (s *store) putExplanations(out *score.EpochOutput) (string, error) {
	return s.putStream(out.WriteExplanations)
}

// putStream writes a blob produced by write to objects/<sha256 hex>
// through a synced temporary file, and returns its name.
func (s *store) putStream(write func(io.Writer) error) (string, error) {
	dir := filepath.Join(s.dir, "objects")
	tmp, err := os.CreateTemp(dir, ".stream.tmp*")
	if err != nil {
		return "", fmt.Errorf("oracle: write object: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, h), 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("oracle: write object: %w", err)
	}
	name := hex.EncodeToString(h.Sum(nil))
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return name, nil
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("oracle: write object: %w", err)
	}
	return name, durable.SyncDir(dir)
}

// openObject opens a stored blob for reading, without reading it whole
// (get reads and checks it).
func (s *store) openObject(name string) (*os.File, int64, error) {
	if len(name) != 64 || !isLowerHex(name) {
		return nil, 0, fmt.Errorf("oracle: read object %q: %w", name, score.ErrNotFound)
	}
	f, err := os.Open(filepath.Join(s.dir, "objects", name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("oracle: read object %s: %w", name, score.ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("oracle: read object %s: %w", name, err)
	}
	if err := s.checkObject(f, name); err != nil {
		f.Close()
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("oracle: read object %s: %w", name, err)
	}
	return f, st.Size(), nil
}

// checkObject checks, once per object and process, that the object's
// content hashes to its name, as get does for every object it reads, so
// that a damaged or truncated file is never served (with a long cache
// lifetime) as an epoch's explanations. It leaves f at its start.
func (s *store) checkObject(f *os.File, name string) error {
	s.mu.Lock()
	ok := s.verified[name]
	s.mu.Unlock()
	if ok {
		return nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("oracle: read object %s: %w", name, err)
	}
	if sum := h.Sum(nil); hex.EncodeToString(sum) != name {
		return fmt.Errorf("oracle: read object %s: content hash is %x: corrupt store", name, sum)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("oracle: read object %s: %w", name, err)
	}
	s.mu.Lock()
	if s.verified == nil {
		s.verified = make(map[string]bool)
	}
	s.verified[name] = true
	s.mu.Unlock()
	return nil
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// copyExplanationArray writes the JSON lines object as one JSON array: the
// bytes json.Marshal gives for the list. A line holds no raw newline (JSON
// escapes them), so each newline but the last becomes a comma.
func copyExplanationArray(w io.Writer, r io.Reader) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := make([]byte, 1<<20)
	pending := false // a newline read and not yet written as a comma
	_ = bw.WriteByte('[')
	for {
		n, err := r.Read(buf)
		for chunk := buf[:n]; len(chunk) > 0; {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				i = len(chunk)
			}
			if i > 0 {
				if pending {
					_ = bw.WriteByte(',')
					pending = false
				}
				_, _ = bw.Write(chunk[:i])
			}
			if i < len(chunk) {
				pending = true
				i++
			}
			chunk = chunk[i:]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	_ = bw.WriteByte(']')
	return bw.Flush()
}

// findExplanationLine returns the line of dev in a JSON lines object of
// size bytes sorted by device (without its newline), and false if dev has
// none. It reads O(log n) lines.
func findExplanationLine(r io.ReaderAt, size int64, dev ledger.Address) ([]byte, bool, error) {
	lo, hi := int64(0), size // lo is a line start; the line of dev, if any, starts in [lo, hi)
	for lo < hi {
		mid := lo + (hi-lo)/2
		at, err := lineStart(r, lo, mid, size)
		if err != nil {
			return nil, false, err
		}
		if at >= hi {
			at = lo
		}
		line, err := readLine(r, at, size)
		if err != nil {
			return nil, false, err
		}
		got, err := lineDevice(line)
		if err != nil {
			return nil, false, err
		}
		switch c := bytes.Compare(dev[:], got[:]); {
		case c == 0:
			return bytes.TrimSuffix(line, []byte("\n")), true, nil
		case c < 0:
			if at == lo {
				return nil, false, nil
			}
			hi = at
		default:
			lo = at + int64(len(line))
		}
	}
	return nil, false, nil
}

// lineStart is the first line start at or after mid, lo being one.
func lineStart(r io.ReaderAt, lo, mid, size int64) (int64, error) {
	if mid == lo {
		return lo, nil
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, mid-1, size-(mid-1)), 4096)
	n := mid - 1
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if err == nil {
			return n, nil
		}
		if err == io.EOF {
			return size, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return 0, err
		}
	}
}

// readLine reads the line starting at at, with its newline if it has one.
func readLine(r io.ReaderAt, at, size int64) ([]byte, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(r, at, size-at), 4096)
	line, err := br.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, err
	}
	return line, nil
}

// lineDevice reads the device of an explanation line.
func lineDevice(line []byte) (ledger.Address, error) {
	var head struct {
		Device string `json:"device"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return ledger.Address{}, fmt.Errorf("oracle: explanations: corrupt line: %w", err)
	}
	return ledger.ParseAddress(head.Device)
}
