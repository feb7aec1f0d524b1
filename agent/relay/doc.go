// Package relay is the public SDK of the relay network kind
// (internal/relay on chain): an HTTP range relay with content hashes, the
// consumer that fetches through it and signs cumulative receipts, and the
// messages both send.
//
//   - Manifest: a file's size, chunk size and the SHA-256 of every chunk,
//     published by the source next to the file; a consumer checks every
//     chunk it receives against it, so a relay cannot serve other bytes.
//   - Relay: an http.Handler that serves GET /relay/{name} with a Range
//     header by forwarding the range to the source (GET {source}/files/
//     {name}) and streaming it back, and POST /relay/receipts where
//     consumers hand in their signed cumulative receipts; it keeps the
//     latest per consumer (Latest) for the relay to claim on chain.
//   - Fetch: the consumer side: chunk by chunk, a Range request, the
//     chunk's hash checked, then a receipt for the bytes received so far.
//
// Contract: errors are prefixed "agent: relay:"; a consumer signs only for
// bytes it received and checked; receipts are cumulative, so a lost
// receipt costs nothing and the relay holds one per consumer.
package relay
