// Package client talks to a depin node over CometBFT's RPC (by default
// http://127.0.0.1:26657) with plain net/http and JSON: node status,
// abci_query against internal/query's paths, broadcast_tx_sync, waiting for
// a transaction to be indexed, and SignAndSend, which does all of it for a
// list of messages. It does not import CometBFT; it relies on the RPC's
// documented JSON shapes (64-bit integers as strings, bytes as base64 in
// query values and hex in hashes).
//
// It also holds what a command line needs around transactions: exact
// parsing of token amounts ("1.5pin", "1500000upin") and of decimal
// coordinates without floats, and the onboarding files a maker and a device
// sign (CertFile, OnboardFile).
//
// Errors: a transaction the node rejects (CheckTx) or that fails in its
// block is a *TxError whose message is one line, such as
// "tx rejected: insufficient_funds (6): pin1... has 5 upin, needs 1000"; a
// failed query is a *QueryError with the query code. Transport failures are
// wrapped with the operation ("client: status: ...").
package client
