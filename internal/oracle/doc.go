// Package oracle is the reward oracle service (DESIGN §3.2 steps 3-5): it
// scores each finished epoch from the segments committed on chain, settles
// the result by submitting the manifest root, publishes everything a
// stranger needs to re-run the epoch, and explains every device's reward.
//
// The scoring itself is pure and lives elsewhere, shared with `depin
// rewards replay`: internal/segment verifies segments against their
// on-chain commitments and decodes (and signature-checks) their reports,
// internal/score runs the epoch pipeline of every network kind and builds
// the bundle, explanations and summary. This package keeps what a service
// needs around it:
//
//   - Prepare gathers an epoch's inputs through the Ledger and a
//     SegmentSource, all from the chain as of the epoch's end height
//     (segments, entropy blocks, each kind's devices as registered then,
//     the params and scorer versions the epoch recorded), with the prior
//     epoch's settled manifest and kind states (LoadPrior: checked against
//     the settled root and state hash, from the data dir or a peer oracle),
//     freezes them into a score.Bundle and runs score.Run;
//   - Service is the oracle process (Run/Close): it polls the chain for
//     ended epochs, waits out the segment grace window and the settlement
//     of the previous epoch, prepares, stores its outputs
//     content-addressed under its data directory, submits the root and
//     serves the JSON API (/v1/rewards/..., /v1/oracle/status). Claimer
//     claims rewards for a list of devices with proofs from an oracle;
//   - NodeLedger is the Ledger of an oracle inside a node.
//
// Off-chain errors are prefixed "oracle: <operation>:" and wrap their
// cause; nothing is stored or submitted for an epoch that fails.
package oracle
