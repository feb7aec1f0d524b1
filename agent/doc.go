// Package agent is the device SDK of depin: what a device maker links into a
// radio's firmware or gateway software to take part in a network's proof of
// physical work (DESIGN §3.2, §3.6). It is public, importable and pure Go (no
// cgo): it depends only on the report and ingest schemas, internal/sig for
// the ZIP-215 signature rules and internal/kind/coverage for the beacon bytes.
//
// The pieces, each usable on its own:
//
//   - Key: the device's ed25519 key, stored in a 0600 key file. Its public
//     key is what the device registry knows the device by.
//   - NonceStore: the per-device nonce, strictly increasing across restarts.
//     It reserves nonces in blocks and fsyncs the reservation before handing
//     any of them out, so a crash can skip nonces but never reuse one (ingest
//     accepts a report only above the last nonce it accepted).
//   - Builder: builds and signs Beacon, Witness and Heartbeat reports. A
//     device signs sig.SignBytes(Domain, encoded Report), the bytes ingest
//     verifies as sent. Beacon payloads and channels come from
//     coverage.BeaconPayload and coverage.BeaconFrequency, so the scorer
//     regenerates exactly what the device transmitted.
//   - Client: a connect-go client of the ingest service (Connect binary,
//     Connect JSON over HTTP/1.1, or gRPC over h2c/TLS). Reports are queued
//     in a bounded queue and sent in batches cut by size and time; transport
//     failures and unavailable/5xx answers are retried with exponential
//     backoff and jitter; per-report rejections are never retried, they are
//     surfaced as Results. GetEntropy returns the chain entropy to answer.
//   - Radio: the interface real hardware implements (Transmit a beacon frame,
//     deliver heard frames). SimMedium and SimRadio simulate one in memory
//     with free-space path loss, seeded fading, obstruction loss and a
//     receiver sensitivity, for tests and the simulated fleet.
//   - Device and Run: the agent loop. It beacons once per interval at a
//     random offset within the interval (as gateway-rs does), witnesses every
//     beacon the radio hears, sends a heartbeat periodically and logs every
//     outcome with log/slog.
//
// Contract: every failure is an error prefixed "agent: <operation>:" and
// wrapping the cause; rejections by ingest are results, not errors. Nothing
// here feeds consensus directly: the simulated radio may use floating point,
// the reports it leads to are checked by ingest and scored by the pure
// coverage code.
package agent
