// Package store keeps the ledger's committed state in Pebble v2. It is the
// only package that imports Pebble. State keys (module prefixes below 0x80)
// are what the app hash commits to; keys from 0xF0 up hold node metadata
// (last height and app hash) and the transaction index, which are not part
// of consensus state. Commit writes a block's state changes, its index
// entries, the height and the app hash in one synced batch, so that a crash
// at any point leaves either the previous block or the new one.
package store
