// Package storage is the ledger's storage module (issue 13): deals that
// keep erasure-coded shards on providers' disks, proven from chain entropy.
//
// A deal is a market lease of kind "storage" (internal/market: orders,
// bids, leases, streaming escrow) plus what storage needs on top: the shard
// it holds (content id, shard index, Merkle root, size, leaf size), the
// provider's collateral per deal, locked when the provider acknowledges the
// upload on chain, which also starts the lease, and its proofs.
//
// Proofs (Sia's storage proof with PDP's periodic sampling,
// reference/next-stage.md §2.1-2.5): every storage.proof_period_blocks a
// window opens; the entropy of its first height picks one leaf of every
// active deal's shard (LeafIndex); the provider submits the leaf and its
// Merkle path in a batched transaction before the window closes
// (VerifyLeaf checks it against the deal's root with the leaf count fixed
// by the deal). A correct proof keeps the deal going and counts the shard's
// bytes as proven in the epoch; a wrong proof or a missed window slashes a
// share of the collateral (part to the consumer, the rest burned) and counts
// against the provider's reputation.
//
// Reputation follows Storj's beta model with forgetting (reference/
// markets.md §2.2): per outcome α ← λα + w·success, β ← λβ + w·failure, score
// α/(α+β), in integer parts per million. A provider is vetted after
// storage.vetting_proofs proofs (until then it holds at most
// storage.vetting_max_open_deals open deals), suspended (no new deals, no pool share)
// at or below the suspension score and disqualified, permanently, at or
// below the disqualification score: its deals close and the shards are
// repaired elsewhere. Every score change emits an event with its reason.
//
// A deal's owner reports a corrupt download with the provider's signed
// statement of what it served (storage/report, report.go): a root that is
// not the deal's counts like a wrong proof. Any party repairs a shard whose
// deal closed for a fault (create-deal with repair_of, repair.go): the
// chain moves its lease to the file's owner and repays it from the owner's
// repair fund (storage/set-repair-fund).
//
// Contract: handlers are pure value transforms over a ledger.Store; a
// rejection is a *ledger.Error with a stable code (500-549) and changes
// nothing. No wall clock, floats or map iteration reaches state or events;
// entropy comes from internal/proof. The module account Collateral holds
// exactly the collateral of acknowledged, open deals, and RepairFund the
// owners' repair funds (Invariants).
package storage
