// Package computesim runs compute actors beside a node: providers (honest,
// one returning wrong tiles, one lazy copier), a verifier and the adapter
// that lets the public agents (agent/compute) talk to a node through
// internal/client. The devnet's compute fleet and the end-to-end test use
// it; every decision is made from committed chain state.
package computesim
