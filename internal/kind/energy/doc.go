// Package energy is the energy network kind: smart meters and inverters that
// sign interval reads of imported, exported and produced watt-hours and a
// battery's state of charge (Energy Web Origin's meter reads, Grid
// Singularity's measured-versus-traded settlement; reference/frameworks.md
// §4).
//
// A device asserts Attributes: rated power (W), battery capacity (Wh) and
// charge rate (W), its grid connection point (an H3 cell) and feeder, and
// whether its production is renewable. Its grid zone, where its energy is
// traded, is the parent of the grid cell at energy.zone_resolution (Zone).
//
// A read closes interval i, [i × energy.interval_seconds, (i+1) ×
// energy.interval_seconds) in Unix time, with cumulative counters. Check
// judges one read against the device's previous accepted read (its
// baseline): counters never go backwards; no counter grows faster than the
// rated power allows over the intervals since the baseline; the battery
// stays within its capacity and charge rate; export never exceeds what
// production, import and battery discharge could supply; a read of the
// baseline's interval is a duplicate, of an earlier one stale, of an
// interval not yet over early. A read after a gap, and a device's first
// read, set a new baseline without measuring an interval. Peers then
// compares the capacity factor (production over rated power × interval) of
// the complete reads of one zone and interval and flags those far above the
// zone's median (a meter that over-reports). Check and Peers are shared by this kind's scorer (off
// chain, for rewards) and the energy market module (on chain, for
// settlement), so both judge the same read alike.
//
// The scorer pays one pool: Pool ("energy") the verified flexible capacity
// of batteries that were available in a measured interval (what the battery
// could have absorbed plus delivered at its charge rate). Energy actually
// traded is rewarded by the energy market module from its settlement lines
// (internal/energy PayPool), not here: a meter's export is only a stat.
// Every read gets one reason.
//
// Contract: pure and deterministic (no clock, floats, randomness, I/O or map
// order reaching an output); every quantity is an integer in Wh, W or
// seconds with overflow checked; a bad read is a reason, never an error.
package energy
