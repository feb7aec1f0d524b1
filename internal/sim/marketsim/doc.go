// Package marketsim simulates the open market's participants beside a
// devnet: providers that register and bid on open orders, consumers that
// order, accept the cheapest bid and keep their leases funded, one
// consumer that never tops up (its lease runs dry and the end-block sweep
// closes it, with no transaction sent, after which it orders again), and
// a pay-per-use consumer that buys credits and signs usage receipts its
// provider submits, so that the usage pool has usage to pay.
//
// It is an off-chain client like the device fleet (internal/sim): it
// reads the chain through the node's queries and sends signed
// transactions through internal/client; every decision is made from
// committed state, so a restarted simulation picks up where the chain is.
// Run steps until its context ends; Step is one round, for tests.
package marketsim
