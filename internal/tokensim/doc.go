// Package tokensim is the tokenomics simulator behind `depin sim`: a
// deterministic, seeded run of a network over years at daily resolution
// in which every rule about money is the chain's own code.
//
// Contract. The chain part is the real state machine: chain.New over an
// in-memory backend, a genesis built from the scenario, and one block
// sequence per simulated day (one reward epoch of BlocksPerDay blocks).
// Every token movement is a signed transaction through the app's router or
// an end-block hook of a module: the oracle settles each epoch with
// reward.Compute over the epoch record the reward module wrote (emission
// schedule, halvings, credit re-mint, bootstrapping pool shift), the fleet
// claims with a Merkle proof, consumers burn PIN for credits and sign
// receipts the provider submits (usage pool, its cap), leases stream
// escrow with the market's take rate to the treasury, holders delegate,
// undelegate and withdraw staking rewards, and parameter changes are
// governance proposals that validators vote through. Nothing in this
// package computes an emission, a pool split, a burn, a re-mint, a take or
// a staking reward: it reads them from chain state. So when a rule changes
// in the chain, the simulation changes with it. Chain quantities are
// integers in upin (uint64), and the app's invariants are checked at the
// end of every simulated day.
//
// The economic model around the chain (provider entry and exit on expected
// fiat ROI against a hurdle, demand that grows with capacity and falls with
// its price, a token price from usage, speculation and supply) is off-chain
// and uses float64: the agents' state and decisions (model.go, price.go),
// the turning of a decision into a transaction's integer amount (plan in
// run.go, rebalance in day.go: USD through tokensFor, or a share of an
// integer, always rounded down) and the outputs' ratios, summaries and
// plots. Every chain amount in a Row is an integer read from chain state.
// Its assumptions are parameters of the scenario (TOML files, sims/*.toml),
// not constants in code. Randomness is a PCG seeded from the scenario, so
// the same scenario and seed give the same CSV bytes.
package tokensim
