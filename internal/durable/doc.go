// Package durable writes files so that they survive a crash whole or not
// at all: the data goes to a synced temporary file in the same directory,
// which is then renamed or hard-linked into place, and the directory is
// synced. Keys, nonce state, ingest segments and oracle outputs all use it.
package durable
