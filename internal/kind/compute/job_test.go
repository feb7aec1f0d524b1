package compute

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/depin-network/depin/internal/kind/compute/render"
)

func sceneBytes(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("render", "testdata", "spheres.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRenderJobAssemblesTheImage(t *testing.T) {
	p, err := Prepare(Job{Type: TypeRender, Input: sceneBytes(t), Tasks: 16})
	if err != nil {
		t.Fatal(err)
	}
	results := make([][]byte, p.Tasks)
	var work uint64
	for i := range results {
		results[i] = p.Execute(i)
		work += p.Work(i)
	}
	s := p.Scene()
	if want := uint64(s.Width*s.Height) * uint64(s.Samples*s.Samples); work != want {
		t.Errorf("work: got %d, want %d", work, want)
	}
	got, err := p.Assemble(results)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render.EncodePNG(s.Width, s.Height, render.Render(s))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the PNG assembled from 16 tasks differs from the PNG of the whole render")
	}
}

// TestHashJob checks a hash job against a direct computation and a golden
// hash of its assembled output.
func TestHashJob(t *testing.T) {
	data := make([]byte, 10_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	p, err := Prepare(Job{Type: TypeHash, Input: data, Tasks: 3, Rounds: 5})
	if err != nil {
		t.Fatal(err)
	}
	var results [][]byte
	var work uint64
	for i := 0; i < p.Tasks; i++ {
		results = append(results, p.Execute(i))
		work += p.Work(i)
	}
	if work != 50_000 {
		t.Errorf("work: got %d, want 50000", work)
	}
	// Task 0 covers bytes [0, 3333): blocks of 1024, 1024, 1024, 261.
	var want []byte
	for _, blk := range [][2]int{{0, 1024}, {1024, 2048}, {2048, 3072}, {3072, 3333}} {
		h := sha256.Sum256(data[blk[0]:blk[1]])
		for r := 0; r < 4; r++ {
			h = sha256.Sum256(h[:])
		}
		want = append(want, h[:]...)
	}
	if !bytes.Equal(results[0], want) {
		t.Error("task 0: the result differs from the direct computation")
	}
	out, err := p.Assemble(results)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(out)
	if got := hex.EncodeToString(h[:]); got != goldenHashJob {
		t.Errorf("hash job output: got %s, want %s", got, goldenHashJob)
	}
}

const goldenHashJob = "88ecdad5aaf0593746ae1a459ab1fecda013a144f246e37c9f52856858c4f38c"

func TestPrepareRefuses(t *testing.T) {
	scene := sceneBytes(t)
	for name, j := range map[string]Job{
		"no tasks":         {Type: TypeRender, Input: scene, Tasks: 0},
		"too many tasks":   {Type: TypeRender, Input: scene, Tasks: MaxTasks + 1},
		"unknown type":     {Type: "mine", Input: scene, Tasks: 1},
		"bad scene":        {Type: TypeRender, Input: []byte(`{"width": 1.5}`), Tasks: 1},
		"render rounds":    {Type: TypeRender, Input: scene, Tasks: 1, Rounds: 2},
		"hash no rounds":   {Type: TypeHash, Input: []byte("abc"), Tasks: 1},
		"hash tasks>bytes": {Type: TypeHash, Input: []byte("abc"), Tasks: 4, Rounds: 1},
		"empty input":      {Type: TypeHash, Tasks: 1, Rounds: 1},
		"huge input":       {Type: TypeHash, Input: make([]byte, MaxInputBytes+1), Tasks: 1, Rounds: 1},
	} {
		if _, err := Prepare(j); !errors.Is(err, ErrInvalidJob) {
			t.Errorf("%s: got %v, want ErrInvalidJob", name, err)
		}
	}
}

// FuzzPrepare feeds arbitrary jobs to Prepare: it either refuses them or
// every task executes, deterministically.
func FuzzPrepare(f *testing.F) {
	f.Add(TypeRender, []byte(`{"width":8,"height":8,"camera":{"focal":1000},"samples":1,"spheres":[{"center":[0,0,3000],"radius":1000,"color":[200,0,0]}]}`), 4, 0)
	f.Add(TypeHash, []byte("some data to hash"), 3, 2)
	f.Fuzz(func(t *testing.T, typ string, input []byte, tasks, rounds int) {
		if rounds > 50 {
			rounds = 50 // keep each run short
		}
		p, err := Prepare(Job{Type: typ, Input: input, Tasks: tasks, Rounds: rounds})
		if err != nil {
			if !errors.Is(err, ErrInvalidJob) {
				t.Fatalf("error %v does not wrap ErrInvalidJob", err)
			}
			return
		}
		if p.Type == TypeRender && p.Scene().Width*p.Scene().Height > 64*64 {
			return // big images are fine but slow to fuzz
		}
		i := p.Tasks - 1
		if !bytes.Equal(p.Execute(i), p.Execute(i)) {
			t.Fatal("a task's result is not repeatable")
		}
	})
}
