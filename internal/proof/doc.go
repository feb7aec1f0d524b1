// Package proof is the ledger's record of proof-of-physical-work inputs:
// the ingest operators, the segments they commit, and the chain entropy
// devices answer in their reports.
//
// Ingest cuts its durable log of accepted reports into segments and commits
// each one (epoch, segment hash, Merkle root of its reports, report count)
// with MsgCommitSegment, signed by an operator key the params authority
// registered (MsgAddOperator, MsgRemoveOperator). A segment is accepted for
// the running reward epoch, or for the previous one during
// reward.segment_grace_blocks after it ended and before oracles submitted a
// root for it (reward.SegmentsOpen); each segment hash is committed once,
// ever. Oracles list an epoch's segments (Segments) and check the files they
// fetch against these commitments before scoring.
//
// Entropy: modules do not see the block hash or the previous app hash (the
// app hands them only height and time), so the module keeps its own hash
// chain, written at the end of every block:
//
//	entropy(h) = SHA-256("depin/entropy/v1" | entropy(h-1) | h | block time | mix(h))
//
// where mix(h) folds in the hashes of the segments committed in block h
// (empty if none) and entropy(0) is empty. Block time in CometBFT is the
// weighted median of the validators' precommit times and the segment hashes
// depend on reports nobody controls alone, so no single party can predict the
// value before the block; it is agreed by consensus and in the app hash, so
// every node, ingest and scorer reads the same bytes. The last
// proof.entropy_window heights are kept (Entropy).
//
// Contract: every handler is a pure value transform over a ledger.Store; it
// checks the message and the prior state first and writes only when all
// checks pass. A rejection is a *ledger.Error with a stable code (70-79 are
// this module's) and changes nothing. No wall clock, floats, randomness,
// goroutines or map iteration reaches state or events.
package proof
