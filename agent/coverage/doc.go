// Package coverage is the device side of the coverage network kind
// (wireless proof of coverage, internal/kind/coverage), over the agent SDK
// core:
//
//   - Beacon, Witness and Heartbeat build and sign the kind's reports with an
//     agent.Builder. Beacon payloads and channels are computed exactly as the
//     oracles' scorer regenerates them (BeaconFrame).
//   - Region and Attributes: the regional plan a radio follows, and the
//     attributes a device asserts with its location (antenna gain,
//     elevation, region).
//   - Radio: the interface real hardware implements (Transmit a beacon frame,
//     deliver heard frames). SimMedium and SimRadio simulate one in memory
//     with free-space path loss, seeded fading, obstruction loss and a
//     receiver sensitivity, for tests and the simulated fleet.
//   - Device and Run: the agent loop. It beacons once per interval at a
//     random offset within the interval (as gateway-rs does), witnesses
//     every beacon the radio hears, sends a heartbeat periodically and logs
//     every outcome with log/slog.
//
// Contract: every failure is an error prefixed "agent: <operation>:" and
// wrapping the cause. Nothing here feeds consensus directly: the simulated
// radio may use floating point; the reports it leads to are checked by
// ingest and scored by the pure coverage code.
package coverage
