// Package sig is depin's one ed25519 adapter: it signs, and verifies singly
// and in batches (optionally with a cache of expanded public keys), so that
// the ledger, ingest, the oracle and every node accept exactly the same
// signatures (reference/engineering.md §3). No other package imports an
// ed25519 implementation.
//
// Contract:
//   - every signature covers a domain prefix, a zero byte and the message
//     (SignBytes), so a signature made for one purpose never verifies for
//     another;
//   - verification follows ZIP-215 (cofactored equation, non-canonical point
//     encodings accepted) for single and batch verification alike, with one
//     stricter rule: a public key of small order (a point in the 8-torsion
//     subgroup, whatever its encoding) never signs. Such a key has no secret:
//     with R the identity and S = 0 its "signature" verifies on every message
//     under plain ZIP-215, so funds sent to its address, or a device
//     registered with it, could be spent or impersonated by anyone;
//   - single, batch and cached-key verification give the same answer on
//     every input, which the tests check.
package sig
