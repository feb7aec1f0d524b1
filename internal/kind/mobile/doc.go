// Package mobile is the mobile network kind: Wi-Fi radios rewarded the way
// Helium Mobile rewards them (reference/helium.md section 2).
//
// Radios send heartbeats (a validated position, operational or not) and
// speedtests (download, upload, latency). Each epoch a radio needs at least
// min_heartbeats distinct slots with an operational heartbeat (Helium: 12
// hourly heartbeats a day). Its location trust is the mean over its
// heartbeats of a per-heartbeat score by distance to the asserted cell
// (HIP-119: up to 300 m 1.0, to 400 m 0.25, else 0). Its speedtest
// multiplier comes from the averages of its newest speedtests over a
// rolling window kept across epochs (Helium: the newest 6, at least 2; the
// tier is the lowest of the download, upload and latency tiers,
// multipliers 1.0/0.75/0.5/0.25/0). Speedtests faster than the radio's
// declared backhaul, with no latency, or repeating the previous test
// exactly are refused: a speedtest faker is caught by its own numbers.
//
// Shares in the "mobile" pool = base points of the radio type x speedtest
// multiplier x location trust (Helium's CoveragePoints::total_shares).
// Usage (bytes carried) is not scored here: consumers sign market receipts
// of kind "mobile" (internal/market) and the usage pool pays them.
//
// Contract: pure and deterministic; the scorer's reference twin lives in
// its tests. ScorerVersion 1 never changes its results once used.
package mobile
