// Package provider is the storage provider service (issue 13, item 7): it
// rents out a directory of a disk. It bids on the market's storage orders,
// takes uploads of manifests and shards over HTTP, checks each shard
// against its Merkle root before keeping it, acknowledges the upload on
// chain (which locks the deal's collateral and starts the lease), answers
// every proof window's challenges with a leaf and its path in one batched
// transaction, serves downloads, and exposes Prometheus metrics.
//
// Durability: a shard is written to a temporary file, synced, renamed into
// place and its directory synced, so a partial upload never counts and a
// kept shard survives kill -9; temporary files left by a crash are removed
// at start. A shard is acknowledged only once it is in place.
//
// Adversaries (for the devnet and tests, never the default): a provider
// can be told to delete shards after acknowledging them, to keep only some
// shards, to answer proofs late, or to serve corrupted bytes; the chain and
// the clients must catch each.
//
// Contract: Config, New, Run, Close like the other services; the chain is
// reached through the Chain interface (internal/client implements it), the
// clock is injected.
package provider
