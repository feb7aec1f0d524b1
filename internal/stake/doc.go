// Package stake is the proof-of-stake module: validators with an ed25519
// consensus key, a commission (with a maximum and a maximum change) and a
// minimum self-bond; delegations as shares of a validator; undelegation
// through an unbonding period and instant redelegation; the active set (the
// top stake.max_validators by bonded tokens, not jailed) whose voting power
// changes are returned for CometBFT; slashing for double signs (evidence
// CometBFT hands the app, slashing at the infraction and tombstoning) and for
// downtime (a missed-block count per signed-blocks window, jailing, unjail
// after the jail time); and the lazy distribution of fees and the validators
// reward pool to validators and delegators.
//
// Rules and default numbers follow cosmos-sdk v0.50.13 x/staking,
// x/slashing, x/evidence and x/distribution (reference/next-stage.md §1),
// with the changes §1.10 recommends; the code is our own.
//
// Contract: every function is deterministic over a ledger.Store (no wall
// clock, no map order into state, no floats). Money is uint64 base units;
// the reward per share is an exact integer scaled by 10^18; every rounding
// is down and its remainder goes to the treasury. Tokens live in module
// accounts of the bank (BondedPool, UnbondingPool, RewardsPool), so the
// supply invariant covers them, and Invariants checks that the accounts
// match the records. A failed message changes nothing (the app drops the
// transaction's writes).
package stake
