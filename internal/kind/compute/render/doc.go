// Package render is a small deterministic ray tracer: the render job of the
// compute network kind.
//
// A Scene (decoded strictly from JSON whose numbers are all integers, in
// thousandths of a unit) holds a camera looking down +z, one point light,
// spheres (colour, reflectivity) and an optional checkered ground plane.
// RenderTile traces the pixels of one tile of the image and returns them as
// raw RGB bytes, row by row; Assemble puts tiles back into an image and
// EncodePNG writes it.
//
// Contract: every computation is integer fixed point (Q16.16 in int64, an
// integer square root, truncating division), so any machine, compiler or
// architecture produces the same bytes for the same scene and tile: a tile's
// SHA-256 is what providers commit to and verifiers recompute. Rendering a
// whole image in one call and assembling it from any tiling give the same
// pixels. Decoding bounds every coordinate, size and count so that no
// intermediate product overflows; a scene that fails a bound is refused with
// an error wrapping ErrScene. No clock, randomness, goroutines, floats or
// I/O.
package render
