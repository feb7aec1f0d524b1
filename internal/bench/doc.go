// Package bench holds the load generators and harnesses behind
// `depin bench ledger|ingest|epoch|memory` (DESIGN §4, BENCHMARKS.md).
//
// Every benchmark prints its figure beside a baseline measured in the same
// run on the same machine, and the ratio between them, because absolute
// figures on a shared machine are noise:
//
//   - ledger: signed bank transfers committed per second through CometBFT's
//     RPC on an in-process depin node, against CometBFT's kvstore example
//     application driven by the same generator with transactions of the same
//     size, on one validator and on four;
//   - ingest: signed reports durably acknowledged per second by the ingest
//     service over loopback, against raw batch verification of the same
//     reports;
//   - epoch: coverage scoring plus reward computation (manifest Merkle root
//     included) of a synthetic fleet, at sizes 10× apart, with peak heap and
//     the scaling ratio;
//   - memory: resident memory of a node with many registered devices.
//
// The harnesses check correctness as they go (every transaction committed
// with code OK, every report accepted, shares paid) and return an error when
// a run is wrong, so a figure is never printed for broken work. The big runs
// are started from the command line; the package tests run each harness at
// a tiny size so none of them can rot.
//
// Every report can also be written as JSON (Result, `--output json`), with
// the load average before and after the run; CompareResults (`depin bench
// compare`, scripts/bench-compare) compares two such runs ratio by ratio and
// flags a loss of more than 10%, for review rather than as a timed test.
//
// Only the files node*.go import CometBFT: they embed nodes in the process.
// Nothing in this package feeds consensus state.
package bench
