// Package archtest holds tests that guard the architecture of the module
// (DESIGN §2, STYLE "Layout" and "Tests"); it has no code of its own.
//
// The tests read the tree with `go list` and go/parser, and type-check the
// domain packages from the compiler's export data, so they need only the Go
// toolchain. They fail when:
//
//   - a domain package (ledger, bank, params, device, proof, reward, market, credit,
//     stake, gov, the network kinds coverage, storage, sensor, energy,
//     compute, and app) imports I/O, the clock's source, randomness, a
//     database driver, CometBFT or NATS, or any third-party module but
//     protobuf; or calls a wall-clock function of package time (time.Now,
//     time.Since, ...); or starts a goroutine; or holds a value of a
//     floating-point or complex type in a non-test file;
//   - a dependency is imported outside its adapter: CometBFT outside
//     internal/abci, internal/node, cmd/ and the benchmark harness
//     internal/bench (its baseline is CometBFT's kvstore), Pebble outside
//     internal/store, H3 outside internal/geo, NATS outside internal/ingest
//     and cmd/;
//   - a hand-written package has no package doc comment.
package archtest
