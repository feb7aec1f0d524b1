// Package ledgertest drives domain modules in their unit tests the way the
// app drives them, without the app: a params and bank genesis over a
// ledger.MemStore, each message run on an overlay that is flushed only when
// the handler succeeds, end-block hooks on an overlay. Each module's tests
// keep their own environment (names, heights, clocks, helpers of their
// domain) and use these functions for the parts that are the same
// everywhere. Tests only: nothing outside _test.go files imports it.
package ledgertest
