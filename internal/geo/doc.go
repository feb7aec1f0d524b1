// Package geo is the only package that imports the H3 library
// (github.com/uber/h3-go/v4, cgo). It exposes H3 cells as plain uint64 values
// and returns integer-only results: coordinates come back in 1e-7 degrees,
// rounded once here, so that everything downstream (the coverage scorer, the
// ledger, replay) stays integer and bit-exact.
//
// Contract:
//   - every function rejects invalid cells with an error wrapping ErrInvalidCell
//     (or returns false / -1 where the signature has no error);
//   - GridDisk returns its cells sorted ascending, without the zero padding the
//     C library may leave next to pentagons;
//   - the zero value of H3 implements the small geometry interface declared by
//     internal/kind/coverage.
//
// Determinism: Parent, Resolution, IsValid, GridDistance and GridDisk are
// integer algorithms. IsValid, Resolution, Parent and the grid distance of two
// cells in one hexagon base cell are computed in Go from the index bits
// (index.go, ijk.go: the scorer calls them millions of times per epoch, and a
// call into C costs more than the work); the tests compare each with the C
// library, which computes everything else. Center and CellFromLatLng use
// floating point inside H3; Center rounds to 1e-7 degrees (about 1 cm), so two
// machines can differ only when a centre lies within floating-point error of a
// rounding boundary. Consensus code must only validate cell IDs
// (reference/engineering.md §4).
package geo
