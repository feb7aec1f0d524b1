// Package store keeps the ledger's committed state in Pebble v2. It is the
// only package that imports Pebble. State keys (module prefixes below 0x80)
// are what the app hash commits to; keys from 0xF0 up hold node metadata
// (last height and app hash, a pending-genesis mark) and the transaction
// index, which are not part of consensus state. Commit writes a block's
// state changes, its index entries, the height and the app hash in one
// synced batch, so that a crash at any point leaves either the previous
// block or the new one.
//
// Genesis is the exception, because it can be far larger than a block
// (1M devices): WriteGenesis streams it to disk in batches of a few MB at
// height 0, and the first block's Commit makes it part of committed state.
// A crash in between leaves height 0 and a pending-genesis mark, and the
// next InitChain deletes the leftover and writes genesis again.
//
// Memory is bounded whatever the state's size: Pebble's block cache (128
// MiB), two memtables of 32 MiB, and a read cache of recent committed
// values (131,072 entries, 32 MiB).
package store
