// Package segment is the pure, replayable handling of report segments:
// the segment file codec, the check of a segment against its on-chain
// commitment (content hash, record count, RFC 6962 Merkle root), the
// decoding and checking of the signed reports it holds, and their
// signatures.
//
// Ingest writes segments with Encode and checks reports with
// DecodeReport as they arrive; the oracles and `depin rewards replay` read
// them back with Verify and Reports. Everything here is a function of its
// arguments: no clock, no I/O, no goroutines, no service dependency (no
// NATS, no Prometheus, no HTTP), so a replay links only this, the kinds
// and the reward engine.
//
// Contract:
//   - a segment has exactly one encoding (Decode refuses any other), so it
//     has one hash;
//   - Verify returns the segment only if its bytes, epoch, record count
//     and Merkle root are the committed ones, else a *ledger.Error with
//     CodeMismatch;
//   - Reports.Add never fails: a record that does not decode, fails the
//     envelope or its kind's body check, names another epoch, or whose
//     signature does not verify is counted (Malformed, Forged) and
//     skipped, so it earns nothing and cannot stall an epoch.
//   - Reports made by Collecting hand each report of a kind that collects
//     (kind.Collecting) to that kind's collector as it is decoded instead
//     of keeping it in List; the counts and entropy heights are the same.
package segment
