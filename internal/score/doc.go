// Package score is the pure, replayable epoch pipeline: an epoch's inputs
// in, its rewards, manifest root, explanations and summary out. The oracle
// service and `depin rewards replay` run the same code.
//
// The pieces:
//
//   - Run scores each network kind of the bundle with the kind's scorer of
//     the version the bundle names (internal/kind), adds their units up in
//     reward.Compute, and explains every device and the epoch. Old scorer
//     versions stay registered, so old epochs replay bit for bit.
//   - Bundle is the epoch's published inputs apart from the reports: the
//     chain keeps only current state, so the oracle freezes each kind's
//     params, devices and prior state, the entropy blocks and the list of
//     committed segments into canonical JSON whose SHA-256 it submits with
//     the root.
//   - Replay fetches an epoch's bundle, segments and prior manifest through
//     the Chain and Source interfaces, checks each against the chain
//     (internal/segment for the segments), recomputes and compares the
//     manifest root, and names the devices that differ and why.
//
// Contract: everything here is deterministic (no floats, clock,
// randomness, goroutines or map iteration into outputs) and depends on no
// service: no NATS, no Prometheus, no HTTP server, no CometBFT, no
// database (internal/archtest checks the transitive imports). Every
// rejected input is a *ledger.Error with a stable code (CodeBundleMismatch,
// ..., segment.CodeMismatch) and a message naming the offending item.
package score
