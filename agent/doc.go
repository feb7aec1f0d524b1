// Package agent is the core of depin's device SDK: what a device maker links
// into firmware or gateway software to take part in a network's proof of
// physical work (DESIGN §3.2, §3.6), whatever the network kind. It is
// public, importable from another module and pure Go (no cgo); its exported
// API uses only its own types and the public schemas under proto/
// (TestPublicAPI, and agent/example builds as a separate module).
//
// The pieces, each usable on its own:
//
//   - Key and Address: the device's ed25519 key, stored in a 0600 key file,
//     and its address on the ledger. The public key is what the device
//     registry knows the device by.
//   - NonceStore: the per-device nonce, strictly increasing across restarts.
//     It reserves nonces in blocks and fsyncs the reservation before handing
//     any of them out, so a crash can skip nonces but never reuse one (ingest
//     accepts a report only above the last nonce it accepted).
//   - Builder: Build wraps a kind's report body in the envelope (device key,
//     nonce, timestamp, entropy, kind, type) and signs it: a device signs
//     the domain Domain and the encoded report, the bytes ingest verifies as
//     sent. Each network kind's builders live in agent/<kind> (coverage:
//     beacons, witnesses, heartbeats, the radio loop).
//   - Client: a connect-go client of the ingest service (Connect binary,
//     Connect JSON over HTTP/1.1, or gRPC over h2c/TLS). Reports are queued
//     in a bounded queue and sent in batches cut by size and time; transport
//     failures and unavailable/5xx answers are retried with exponential
//     backoff and jitter; per-report rejections are never retried, they are
//     surfaced as Results. GetEntropy returns the chain entropy to answer.
//
// Contract: every failure is an error prefixed "agent: <operation>:" and
// wrapping the cause; rejections by ingest are results, not errors.
package agent
