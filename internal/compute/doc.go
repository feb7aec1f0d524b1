// Package compute is the ledger's compute module: deterministic jobs
// (package kind/compute: rendering tiles of a scene, batches of content
// hashes) split into tasks, run by several bonded providers, checked by
// commit-reveal and sampled re-execution, and paid per task from escrow.
//
// Providers are market providers (package market) that bond upin with
// MsgRegister. A consumer submits a job with MsgSubmitJob: the input is
// checked (kind/compute.Prepare), the deposit price × tasks × (replicas+1)
// moves into escrow, and every task is assigned to replicas distinct
// eligible providers, chosen round-robin from an offset drawn from the
// latest chain entropy.
//
// A task runs in rounds of three phases, each a window of blocks:
//
//  1. commit (compute.commit_blocks): each assigned provider commits
//     SHA-256("depin/compute/commit/v1" | job | task | round | provider |
//     SHA-256(result)). The provider's address is inside the commitment, so
//     a lazy provider that copies another's commitment cannot open it;
//  2. reveal (compute.reveal_blocks): providers reveal SHA-256(result). A
//     reveal that does not open its commitment, or no reveal, is slashed at
//     once or at the window's end. When the commit window closes, the task
//     is sampled for re-execution with probability compute.sample_bps from
//     the entropy of that height, which nobody knew when committing;
//  3. resolution: all reveals equal and the task not sampled: accepted. A
//     sampled task, or reveals that differ, goes to a verifier chosen from
//     the verifier set by entropy (compute.verify_blocks to answer with
//     MsgVerify): results equal to the verifier's are accepted, the others
//     slashed. Without an answer (or without verifiers) a strict majority
//     of reveals wins and the minority is slashed; no majority leaves the
//     round unresolved.
//
// An accepted result pays each provider that returned it price upin from
// the job's escrow and counts the task's work units (kind/compute Work)
// as its verified work in the running reward epoch; the compute pool
// (PayPool, a reward.Payer) is split pro-rata to that work. A slash takes
// compute.slash_bps of the provider's bond into the job's escrow (it pays
// the verifier and the extra round; the rest is refunded to the consumer)
// and jails the provider for compute.jail_blocks: its unanswered
// assignments go to other providers. A task left without an accepted
// result gets a new round with new providers (those that failed it are
// excluded), up to compute.max_rounds; then it fails. When every task is
// done or failed the job ends and its escrow balance is refunded.
//
// Contract: every handler is a pure value transform over a ledger.Store:
// it checks the message and the prior state first and writes only when
// all checks pass; a rejection is a *ledger.Error with a stable code
// (700-739) and changes nothing. End block visits only the tasks due at
// its height. No wall clock, floats, randomness or map iteration reaches
// state or events. Invariants: the escrow account holds the balances of
// running jobs, the bond account the providers' bonds, every job's
// deposit + slashed_in = paid + refunded + balance, and every provider's
// open count equals its open slots.
package compute
