// Package replay holds the adapters `depin rewards replay` reads an epoch
// through: RPCChain (the chain's epochs, settlements and segment
// commitments over a node's RPC) and HTTPSource (what an oracle publishes,
// and segments, over HTTP). score.Replay does the checking and the
// recomputation; with these two it needs no NATS, no Prometheus, no
// CometBFT and no database (internal/archtest checks the transitive
// imports of this package, internal/score and internal/segment).
package replay
