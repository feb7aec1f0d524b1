// Package coverage is the wireless coverage network kind: Helium IoT
// proof-of-coverage as the Helium oracles ran it until its retirement in 2026
// (reference/helium.md §1.2–§1.7), as one pure function.
//
// Score(in, geo) takes an epoch's beacon and witness reports, the device
// registry, the chain entropy records, the parameters and the activity state
// left by the previous epoch, and returns per-device shares (beaconer and
// witness roles apart), a reason for every report, counts by reason and the
// activity state for the next epoch.
//
// Contract:
//   - pure and deterministic: no floating point, no clock, no randomness, no
//     goroutines, no I/O; map iteration never reaches an output. The same
//     input in any order gives the same Result, bit for bit, on any machine;
//   - every report gets exactly one ReportResult with a stable Reason; only
//     ReasonValid reports carry shares;
//   - bad structure (invalid params, an empty epoch window, duplicate
//     hotspots, entropy records or activity entries) is an error wrapping
//     ErrInvalidInput and produces no result; a bad report is a reason;
//   - numbers are fixed point at Scale (1e9 = 1.0); HIP-15 units and HIP-17
//     scales are rounded to 4 decimals as the Helium oracle does; shares are
//     units × scale / Scale, rounded down;
//   - the package imports only the standard library and internal/ledger; H3
//     comes through the Geo interface (internal/geo.H3 implements it).
//
// Scoring time grows linearly with the number of reports (DESIGN §4: 10×
// the devices within 12× the time). Every address and report id is resolved
// once to a dense integer index by radix sorts. No map is keyed by address,
// id or cell, and results are written straight to their place in the sorted
// output (index.go, radix.go). The checks that read only a report, the
// registry and the epoch run first, beacon by beacon in hotspot order, where
// neighbours' records sit together (precheck.go); only what depends on
// earlier reports (interval buckets, reciprocity, selection) runs in receive
// order. reference_test.go keeps the straightforward
// map-based scorer that this replaced, and the tests check that both give
// the same result.
//
// BeaconPayload and BeaconFrequency are exported so that the device SDK and
// the simulated fleet build exactly the bytes the scorer regenerates.
package coverage
