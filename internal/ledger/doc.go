// Package ledger holds the primitives every module of the depin state machine
// shares: addresses, amounts with checked arithmetic, stable result codes, the
// key-value state view and its write-buffering overlay, events, the execution
// context handed to message handlers, and ed25519 verification under the
// ZIP-215 rules.
//
// Everything here is deterministic: no wall clock, no randomness, no I/O, and
// no iteration over maps into state, hashes or events.
package ledger
