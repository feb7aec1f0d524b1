package render

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var writePNG = flag.String("png", "", "write the golden scene's image to this file")

func loadScene(t testing.TB) *Scene {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "spheres.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// goldenHash is the SHA-256 of testdata/spheres.json rendered whole. It is
// fixed: integer arithmetic gives the same bytes on every machine, so a
// change here is a change of the renderer (a new job version), never noise.
const goldenHash = "b877239161a62d5f64a95037981fd56b710eaffaae83e9a84bdc7a6f59d3fb75"

func TestGoldenImage(t *testing.T) {
	s := loadScene(t)
	img := Render(s)
	if len(img) != 3*s.Width*s.Height {
		t.Fatalf("got %d bytes, want %d", len(img), 3*s.Width*s.Height)
	}
	h := Hash(img)
	if got := hex.EncodeToString(h[:]); got != goldenHash {
		t.Errorf("image hash: got %s, want %s", got, goldenHash)
	}
	if *writePNG != "" {
		p, err := EncodePNG(s.Width, s.Height, img)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*writePNG, p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTilesAssemble renders the scene in tiles for several tilings and
// checks that the assembled image equals the whole render.
func TestTilesAssemble(t *testing.T) {
	s := loadScene(t)
	s.Samples = 1
	whole := Render(s)
	for _, n := range []int{1, 2, 6, 7, 64} {
		rects, err := Tiles(s.Width, s.Height, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(rects) != n {
			t.Fatalf("%d tiles: got %d rectangles", n, len(rects))
		}
		px := 0
		tiles := make([][]byte, n)
		for i, r := range rects {
			tiles[i] = RenderTile(s, r)
			px += r.Pixels()
		}
		if px != s.Width*s.Height {
			t.Fatalf("%d tiles cover %d pixels, want %d", n, px, s.Width*s.Height)
		}
		img, err := Assemble(s.Width, s.Height, rects, tiles)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(img, whole) {
			t.Errorf("%d tiles: the assembled image differs from the whole render", n)
		}
	}
}

func TestRenderRepeatable(t *testing.T) {
	s := loadScene(t)
	r := Rect{X0: 100, Y0: 80, X1: 140, Y1: 120}
	a, b := RenderTile(s, r), RenderTile(s, r)
	if !bytes.Equal(a, b) {
		t.Error("two renders of one tile differ")
	}
}

func TestGrid(t *testing.T) {
	for _, c := range []struct{ n, cols, rows int }{{1, 1, 1}, {2, 1, 2}, {6, 2, 3}, {7, 1, 7}, {64, 8, 8}, {12, 3, 4}} {
		if cols, rows := Grid(c.n); cols != c.cols || rows != c.rows {
			t.Errorf("Grid(%d): got %dx%d, want %dx%d", c.n, cols, rows, c.cols, c.rows)
		}
	}
}

func TestIsqrt(t *testing.T) {
	for _, v := range []uint64{0, 1, 2, 3, 4, 15, 16, 17, 1 << 40, 1<<62 + 12345, ^uint64(0)} {
		r := isqrt(v)
		if r*r > v || (r+1 <= 1<<32-1 && (r+1)*(r+1) <= v) {
			t.Errorf("isqrt(%d) = %d", v, r)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "spheres.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"float":          `{"width": 1.5}`,
		"unknown field":  `{"width": 10, "colour": 1}`,
		"trailing":       string(good) + `{}`,
		"zero size":      `{"width": 0, "height": 10, "camera": {"focal": 1000}, "samples": 1}`,
		"far coordinate": `{"width": 10, "height": 10, "camera": {"pos": [0, 0, 5000000], "focal": 1000}, "samples": 1}`,
		"no samples":     `{"width": 10, "height": 10, "camera": {"focal": 1000}}`,
		"bad colour":     `{"width": 10, "height": 10, "camera": {"focal": 1000}, "samples": 1, "background": [0, 256, 0]}`,
	} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("%s: decoded, want an error", name)
		}
	}
}

func BenchmarkRenderTile(b *testing.B) {
	s := loadScene(b)
	rects, _ := Tiles(s.Width, s.Height, 64)
	for i := 0; i < b.N; i++ {
		RenderTile(s, rects[i%len(rects)])
	}
}
