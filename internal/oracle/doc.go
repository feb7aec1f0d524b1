// Package oracle is the reward oracle of the coverage network kind
// (DESIGN §3.2 steps 3-5): it scores each finished epoch from the segments
// committed on chain, settles the result by submitting the manifest root,
// publishes everything a stranger needs to re-run the epoch, and explains
// every device's reward.
//
// The pieces:
//
//   - Run is the epoch pipeline, a pure function shared by the oracle and
//     replay: decoded reports, the registry snapshot, params, entropy, the
//     prior activity state and the prior manifest in; the coverage result,
//     the reward output, the manifest root, per-device explanations and an
//     epoch summary out. The scorer is picked from a registry by the version
//     recorded for the epoch (Scorers), so old epochs stay replayable after
//     the scoring rules change.
//   - Bundle is the epoch's published inputs apart from the reports: the
//     chain keeps only current state, so the oracle freezes the registry,
//     params, entropy, prior activity and the list of committed segments as
//     of the epoch into canonical JSON whose SHA-256 it submits with the
//     root.
//   - VerifySegment checks a segment's bytes against its on-chain commitment
//     (content hash, Merkle root, count, epoch); DecodeReports turns verified
//     segments into scorer reports.
//   - Replay fetches an epoch's bundle, segments and prior manifest, checks
//     each against the chain, recomputes and compares the manifest root; it
//     names the devices that differ and why.
//   - Service is the oracle process (Run/Close): it polls the chain for
//     ended epochs, waits out the segment grace window, scores, stores its
//     outputs content-addressed under its data directory, submits the root
//     and serves the JSON API (/v1/rewards/...). Claimer claims rewards for
//     a list of devices with proofs from an oracle.
//
// Contract: Run, the bundle codec and the segment checks are deterministic
// (no floats, clock, randomness, goroutines or map iteration into outputs).
// Every rejected input is a *ledger.Error with a stable code from this
// package (CodeSegmentMismatch, CodeBundleMismatch, ...) or from the
// packages it calls, and a message naming the offending item; nothing is
// stored or submitted for an epoch that fails. Off-chain errors are
// prefixed "oracle: <operation>:" and wrap their cause.
package oracle
