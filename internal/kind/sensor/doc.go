// Package sensor is the sensor network kind: weather stations
// (WeatherXM-like) and vehicles (DIMO-like) that send readings of named
// channels (temperature, humidity, pressure, wind, rain, PM2.5; odometer,
// speed, charge, a GNSS fix) and heartbeats.
//
// Every reading passes per-reading quality checks, each a pure function
// with a stable reason and its parameters (checks.go): inside the epoch,
// clock drift, duplicates, declared channels, location consistency (a
// station's fix near its asserted cell, a vehicle's track without jumps),
// the channel's physical range, its rate of change, and stuck values. Each
// device then gets epoch checks: completeness, agreement with the stations
// of its H3 ring (integer median and MAD per hourly slot), copied streams
// (bottom-k sketches of reading hashes shared with another device) and
// replayed streams (sketches shared with the previous epoch), vehicle
// identity dedup, a quality-of-data score 0-100 (WeatherXM's QoD), cluster
// suppression (stations in one small cell share one reward, GEODNET's
// 100 m rule) and cell capacity (at most N rewarded stations per cell,
// WeatherXM's cell capacity).
//
// Rewards: the "sensor" pool is split pro rata to quality-weighted uptime:
// hourly slots with a valid report times QoD, divided among a cluster.
//
// Contract: pure and deterministic (integers only, no clock, no I/O, no
// map order in outputs). The scorer core (Scorer) takes one device's
// reports at a time so an epoch of millions of readings streams through it;
// Kind.Scorer adapts kind.Input to it. ScorerVersion 1 never changes its
// results once used.
package sensor
