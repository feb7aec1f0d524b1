// Package sig signs and verifies ed25519 signatures under the ZIP-215 rules,
// singly and in batches, so that the ledger, ingest and every node accept
// exactly the same signatures (reference/engineering.md §3). Every signature
// covers a domain prefix, a zero byte and the message, so that a signature
// made for one purpose never verifies for another.
package sig
