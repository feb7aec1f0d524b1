// Package app is the deterministic state machine of the depin ledger. The
// consensus engine hands it genesis, transactions to check and blocks to
// execute; it returns results and an app hash, like raft's RawNode is driven
// from outside. It runs no goroutines, reads no clock and does no I/O of its
// own: state lives behind the Backend interface, time and entropy come from
// the block. Messages are dispatched through one ledger.Router, so that a new
// module adds messages without touching old ones.
//
// A transaction is all or nothing: its fee, its sequence bump and every
// message's writes land together, or, if anything fails, nothing changes
// and the result carries a stable code and a message.
package app
