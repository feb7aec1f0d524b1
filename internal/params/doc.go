// Package params holds every tunable number of every module. Each module
// declares its parameters as Specs with a default and bounds; the Registry
// collects them, validates every change against the bounds, and lets only the
// params authority (set in genesis; governance later) change them.
package params
