// Package kind is the plug-in contract of a network kind: what the chain,
// ingest and the oracles need to know about one way of proving physical
// work (wireless coverage, storage, sensor data ...).
//
// A Kind has a name, its parameters (params.Spec, named "<kind>.<param>")
// with a cross-field check, a check of a device's attributes (opaque bytes
// the kind owns, asserted with the device's location), a check of each
// report body by report type, and versioned scorers: pure functions from an
// epoch's Input (its reports, the kind's registered devices, params, chain
// entropy and the state the previous epoch left) to an Output (units per
// device and reward pool, a reason for every report, the next state).
//
// Contract:
//   - every method is pure and deterministic: no clock, no randomness, no
//     goroutines, no I/O, no floats; map iteration never reaches an output;
//   - checks return errors wrapping ErrInvalid, with the kind's own words;
//   - a scorer version, once used to settle an epoch, never changes its
//     results: new rules get a new version and the old one stays, so old
//     epochs replay bit for bit;
//   - Output lists are sorted (shares by device then pool, reasons by role
//     then id, counts by role then reason) and State is a canonical
//     encoding, so equal inputs give equal bytes on every machine.
//
// Registry holds the kinds a chain runs; internal/chain is the one place
// that lists them, and the app (params, attributes), ingest (body checks)
// and the oracle (scoring) all read that list.
package kind
