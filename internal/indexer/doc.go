// Package indexer follows a depin chain into SQL so that the explorer and
// scripts can ask questions the ledger's key-value state cannot answer
// cheaply: every block, transaction and event, each account's transactions,
// devices with their location history and reward history, epochs with their
// pool totals and the oracle's per-report reasons.
//
// Contract:
//
//   - One schema, two databases: embedded SQLite (modernc.org/sqlite, pure
//     Go) by default and PostgreSQL (github.com/jackc/pgx/v5) by URL. The
//     schema is a list of numbered migrations applied in order inside a
//     transaction each; the applied version is recorded in schema_version,
//     so an empty database and a database of any earlier version both reach
//     the latest one.
//   - A height is written in one SQL transaction together with the cursor
//     (the last indexed height). A crash or kill -9 leaves either all of a
//     height or none of it, so a restart resumes at cursor+1 with no gap and
//     no duplicate. Writing a height at or below the cursor does nothing, so
//     a height written twice is idempotent.
//   - Blocks come from a Source (CometBFT's RPC in a node; MemSource in
//     tests and benchmarks). A backfill fetches ahead with a few workers and
//     writes several heights per transaction, still in height order.
//   - Every event lands in the generic events table. Per-module readers
//     (bank, device, reward, proof; market, stake and gov add theirs) turn
//     the events they know into their own tables. An event type no reader
//     knows is kept in events and never an error.
//   - The oracle's epoch explanations (per device: payout, shares and the
//     reason of every report) arrive after the epoch settles; they are
//     fetched from an Oracle and written once per epoch, in their own
//     transaction, marked done in the epochs table.
//   - Reading (read.go) uses only the database, so the explorer can run in
//     another process against the same database.
//
// The indexer never computes rewards: it stores what the ledger and the
// oracle published.
package indexer
