package compute

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/depin-network/depin/internal/kind/compute/render"
)

// ErrInvalidJob is wrapped by every error about a job that cannot run.
var ErrInvalidJob = errors.New("invalid job")

// Job types.
const (
	TypeRender = "render"
	TypeHash   = "hash"
)

// Bounds of a job.
const (
	MaxTasks      = render.MaxTiles
	MaxInputBytes = 64 << 10
	HashBlock     = 1024
	MaxRounds     = 10_000
)

// Job is deterministic work split into Tasks tasks.
type Job struct {
	Type  string
	Input []byte
	Tasks int
	// Rounds is the number of SHA-256 iterations per block of a hash job
	// (0 for render jobs).
	Rounds int
}

// Prepared is a checked job ready to execute: the decoded scene and its
// tiles for a render job.
type Prepared struct {
	Job
	scene *render.Scene
	tiles []render.Rect
}

// Prepare checks a job and decodes its input.
func Prepare(j Job) (*Prepared, error) {
	if j.Tasks < 1 || j.Tasks > MaxTasks {
		return nil, fmt.Errorf("%w: %d tasks, want 1-%d", ErrInvalidJob, j.Tasks, MaxTasks)
	}
	if len(j.Input) == 0 || len(j.Input) > MaxInputBytes {
		return nil, fmt.Errorf("%w: input of %d bytes, want 1-%d", ErrInvalidJob, len(j.Input), MaxInputBytes)
	}
	p := &Prepared{Job: j}
	switch j.Type {
	case TypeRender:
		if j.Rounds != 0 {
			return nil, fmt.Errorf("%w: a render job has no rounds", ErrInvalidJob)
		}
		s, err := render.Decode(j.Input)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidJob, err)
		}
		tiles, err := render.Tiles(s.Width, s.Height, j.Tasks)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidJob, err)
		}
		p.scene, p.tiles = s, tiles
	case TypeHash:
		if j.Rounds < 1 || j.Rounds > MaxRounds {
			return nil, fmt.Errorf("%w: %d rounds, want 1-%d", ErrInvalidJob, j.Rounds, MaxRounds)
		}
		if j.Tasks > len(j.Input) {
			return nil, fmt.Errorf("%w: %d tasks for %d bytes", ErrInvalidJob, j.Tasks, len(j.Input))
		}
	default:
		return nil, fmt.Errorf("%w: unknown type %q (want %q or %q)", ErrInvalidJob, j.Type, TypeRender, TypeHash)
	}
	return p, nil
}

// Scene returns a render job's scene (nil for other jobs).
func (p *Prepared) Scene() *render.Scene { return p.scene }

// Tiles returns a render job's tiles (nil for other jobs).
func (p *Prepared) Tiles() []render.Rect { return p.tiles }

// span is the byte range of a hash task.
func (p *Prepared) span(i int) (int, int) {
	n := len(p.Input)
	return i * n / p.Tasks, (i + 1) * n / p.Tasks
}

// Work is task i's size in work units: rays traced (pixels × samples²)
// for render, bytes × rounds for hash.
func (p *Prepared) Work(i int) uint64 {
	if p.Type == TypeRender {
		s := uint64(p.scene.Samples)
		return uint64(p.tiles[i].Pixels()) * s * s
	}
	a, b := p.span(i)
	return uint64(b-a) * uint64(p.Rounds)
}

// Execute runs task i (0 <= i < Tasks) and returns its result.
func (p *Prepared) Execute(i int) []byte {
	if i < 0 || i >= p.Tasks {
		panic(fmt.Sprintf("compute: task %d of %d", i, p.Tasks))
	}
	if p.Type == TypeRender {
		return render.RenderTile(p.scene, p.tiles[i])
	}
	a, b := p.span(i)
	data := p.Input[a:b]
	out := make([]byte, 0, 32*((len(data)+HashBlock-1)/HashBlock))
	for off := 0; off < len(data); off += HashBlock {
		h := sha256.Sum256(data[off:min(off+HashBlock, len(data))])
		for r := 1; r < p.Rounds; r++ {
			h = sha256.Sum256(h[:])
		}
		out = append(out, h[:]...)
	}
	return out
}

// ResultHash is the SHA-256 of a task's result.
func ResultHash(result []byte) [32]byte { return sha256.Sum256(result) }

// Assemble builds a job's output from its task results in task order: a PNG
// image for render, the concatenated block hashes for hash.
func (p *Prepared) Assemble(results [][]byte) ([]byte, error) {
	if len(results) != p.Tasks {
		return nil, fmt.Errorf("compute: %d results for %d tasks", len(results), p.Tasks)
	}
	if p.Type == TypeRender {
		img, err := render.Assemble(p.scene.Width, p.scene.Height, p.tiles, results)
		if err != nil {
			return nil, err
		}
		return render.EncodePNG(p.scene.Width, p.scene.Height, img)
	}
	var out []byte
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}
