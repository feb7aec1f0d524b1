package relay

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// DefaultChunk is the chunk size of manifests built by BuildManifest.
const DefaultChunk = 1 << 20

// Manifest describes a file by the hashes of its chunks.
type Manifest struct {
	Name   string   `json:"name"`
	Size   int64    `json:"size"`
	Chunk  int64    `json:"chunk"`
	SHA256 string   `json:"sha256"` // of the whole file
	Chunks []string `json:"chunks"` // hex SHA-256 of each chunk
}

// BuildManifest hashes data in chunks of chunk bytes.
func BuildManifest(name string, data []byte, chunk int64) Manifest {
	m := Manifest{Name: name, Size: int64(len(data)), Chunk: chunk}
	whole := sha256.Sum256(data)
	m.SHA256 = hex.EncodeToString(whole[:])
	for off := int64(0); off < m.Size; off += chunk {
		h := sha256.Sum256(data[off:min(off+chunk, m.Size)])
		m.Chunks = append(m.Chunks, hex.EncodeToString(h[:]))
	}
	return m
}

// Check checks the manifest's shape.
func (m Manifest) Check() error {
	if m.Chunk <= 0 || m.Size < 0 || int64(len(m.Chunks)) != (m.Size+m.Chunk-1)/m.Chunk {
		return fmt.Errorf("agent: relay: manifest of %q: %d chunks of %d bytes do not cover %d bytes", m.Name, len(m.Chunks), m.Chunk, m.Size)
	}
	return nil
}

// Range returns chunk i's byte range [start, end].
func (m Manifest) Range(i int) (int64, int64) {
	start := int64(i) * m.Chunk
	return start, min(start+m.Chunk, m.Size) - 1
}
