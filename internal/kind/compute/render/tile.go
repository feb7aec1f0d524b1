package render

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
)

// MaxTiles bounds the tiles an image is split into.
const MaxTiles = 4096

// Rect is a tile: the pixels [X0, X1) × [Y0, Y1).
type Rect struct{ X0, Y0, X1, Y1 int }

// Pixels is the tile's pixel count.
func (r Rect) Pixels() int { return (r.X1 - r.X0) * (r.Y1 - r.Y0) }

// Grid returns the columns and rows n tiles are laid out in: the most
// square factorisation cols × rows = n with cols <= rows.
func Grid(n int) (cols, rows int) {
	cols = int(isqrt(uint64(n)))
	for cols > 1 && n%cols != 0 {
		cols--
	}
	return cols, n / cols
}

// Tiles splits a w × h image into n tiles, row-major, in Grid(n) layout;
// tile edges fall at floor(i·w/cols) and floor(j·h/rows). It fails when n
// is outside 1-MaxTiles or a tile would be empty.
func Tiles(w, h, n int) ([]Rect, error) {
	if n < 1 || n > MaxTiles {
		return nil, fmt.Errorf("%w: %d tiles, want 1-%d", ErrScene, n, MaxTiles)
	}
	cols, rows := Grid(n)
	if cols > w || rows > h {
		return nil, fmt.Errorf("%w: %d tiles (%dx%d) do not fit a %dx%d image", ErrScene, n, cols, rows, w, h)
	}
	out := make([]Rect, 0, n)
	for j := 0; j < rows; j++ {
		for i := 0; i < cols; i++ {
			out = append(out, Rect{X0: i * w / cols, Y0: j * h / rows, X1: (i + 1) * w / cols, Y1: (j + 1) * h / rows})
		}
	}
	return out, nil
}

// RenderTile renders one tile of a scene: its pixels as RGB bytes, row by
// row (3 × r.Pixels() bytes). r must lie inside the image.
func RenderTile(s *Scene, r Rect) []byte {
	tr := newTracer(s)
	out := make([]byte, 0, 3*r.Pixels())
	for y := r.Y0; y < r.Y1; y++ {
		for x := r.X0; x < r.X1; x++ {
			c := tr.pixel(x, y, s.Width, s.Height, s.Samples)
			out = append(out, c[0], c[1], c[2])
		}
	}
	return out
}

// Render renders the whole image as RGB bytes.
func Render(s *Scene) []byte {
	return RenderTile(s, Rect{X1: s.Width, Y1: s.Height})
}

// Hash is the SHA-256 of a tile's bytes: what a provider commits to.
func Hash(b []byte) [32]byte { return sha256.Sum256(b) }

// Assemble puts tiles (RGB bytes, in the order of rects) into one w × h RGB
// image. It fails when a tile has the wrong size.
func Assemble(w, h int, rects []Rect, tiles [][]byte) ([]byte, error) {
	if len(rects) != len(tiles) {
		return nil, fmt.Errorf("render: %d tiles for %d rectangles", len(tiles), len(rects))
	}
	img := make([]byte, 3*w*h)
	for i, r := range rects {
		if len(tiles[i]) != 3*r.Pixels() {
			return nil, fmt.Errorf("render: tile %d has %d bytes, want %d", i, len(tiles[i]), 3*r.Pixels())
		}
		tw := 3 * (r.X1 - r.X0)
		for y := r.Y0; y < r.Y1; y++ {
			copy(img[3*(y*w+r.X0):], tiles[i][(y-r.Y0)*tw:(y-r.Y0+1)*tw])
		}
	}
	return img, nil
}

// EncodePNG encodes a w × h RGB image as PNG.
func EncodePNG(w, h int, rgb []byte) ([]byte, error) {
	if len(rgb) != 3*w*h {
		return nil, fmt.Errorf("render: %d bytes for a %dx%d image", len(rgb), w, h)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = rgb[3*i], rgb[3*i+1], rgb[3*i+2], 0xff
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("render: encode png: %w", err)
	}
	return buf.Bytes(), nil
}
