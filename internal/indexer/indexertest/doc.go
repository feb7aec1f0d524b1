// Package indexertest builds real chains for the indexer's tests and
// benchmark: a chain.New app over a memory backend executes signed
// transactions (transfers, device onboarding and location assertions) and
// every committed block, with its results and events, is appended to an
// indexer.MemSource. It also makes storage deals and compute jobs through
// the same transactions a client sends, and answers node queries from the
// committed state in process (Chain.Query), so the explorer's module pages
// read real state. Nothing here fakes the ledger; only the consensus
// engine is absent, so block hashes are derived from the app hash.
package indexertest
