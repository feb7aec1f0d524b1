// Package device is the device registry of the depin ledger: makers,
// devices, owners, location assertions and ownership transfers.
//
// Makers are registered by the params authority with a name, a public key,
// the kinds of device they may certify and an onboarding fee. A device is
// onboarded with two signed documents carried as bytes and verified as sent:
// a Certificate from its maker (device key, kind, serial) and a Binding from
// the device itself (chain id, device key, owner). The owner signs the
// transaction and pays the maker's onboarding fee, which is burned. The
// device id is the address of its key; a key, and a serial of the same maker,
// can be onboarded once, ever. Owners assert locations as H3 cells (a fee is
// burned when the cell changes), transfer devices and decommission them.
//
// Contract: every handler is a pure value transform over a ledger.Store. It
// checks the prior state and the message first and writes only when all
// checks pass; a rejection is a *ledger.Error with a stable code and changes
// nothing. No wall clock, floats, randomness or map iteration reaches state
// or events.
//
// State lives under ledger.PrefixDevice with binary big-endian keys:
// records (makers, devices, location history) and secondary indexes (maker
// name, maker serial, owner, cell, kind) kept in step by every write.
// Invariants checks that the indexes and records agree.
//
// H3 cells are validated without cgo (IsValidCell reimplements the H3 index
// bit layout checks); nothing here computes cells from coordinates.
package device
