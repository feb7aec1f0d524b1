// Package chain assembles the depin chain: which domain modules the state
// machine runs, in which order, and how their genesis sections read. Node,
// devnet, tests and simulations all build the same app through it, so that
// every instance runs exactly the same rules.
package chain
