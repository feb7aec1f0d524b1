// Package gov is the governance module: proposals with a deposit and a
// deposit period, yes/abstain/no/no-with-veto votes over a voting period,
// a tally by bonded stake in which delegators override their validator's
// vote, quorum, threshold and veto, and automatic execution of passed
// proposals in end block.
//
// A proposal carries actions: router messages run with the module account
// Authority as signer. On networks that make Authority the params
// authority (genesis "gov": {"authority": true}) that covers every kind the
// chain has: parameter changes (params/set, checked against bounds),
// treasury spends (gov/treasury-spend), oracle set and ingest operator
// changes (reward/set-oracle, proof/add-operator ...), and the market's
// auditor set and credit price when that module is present; a proposal
// without actions is a text proposal. Actions are dry-run at submission, so
// a proposal that could not execute is refused with the action's own code;
// at execution a failing action leaves no trace but the proposal's failed
// status and reason, and never halts the chain.
//
// Rules and defaults follow cosmos-sdk v0.50.13 x/gov (reference/
// next-stage.md §1.1, §1.7), with §1.10's choices: the deposit of a
// proposal dropped before voting is burned, a vetoed proposal's deposit is
// burned, and submitting needs a minimum initial deposit.
//
// Contract: deterministic over a ledger.Store; amounts are uint64 base
// units; shares become tokens once per validator and option, rounded down.
package gov
