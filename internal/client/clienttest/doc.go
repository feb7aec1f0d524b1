// Package clienttest runs a depin chain in process for tests of clients:
// the real app with the chain's modules (internal/chain) over in-memory
// state, driven one block at a time, and an http.Handler that answers the
// CometBFT RPC endpoints the client uses (status, abci_query,
// broadcast_tx_sync) the way a node does. It stands in for CometBFT, not for the ledger: every transaction
// and query runs through the real app and internal/query.
//
// Blocks: a transaction accepted by broadcast_tx_sync waits in a mempool;
// the mempool is committed as one block after each abci_query is answered
// (or when Chain.Block is called), so a client that broadcasts and then
// polls sees its transaction land on its second poll, as on a real node.
package clienttest
