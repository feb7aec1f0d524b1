// Package energy is the device side of the energy network kind (metered
// production and consumption, internal/kind/energy) and of the energy
// market (internal/energy), over the agent SDK core:
//
//   - Attributes: what a meter asserts with its location (rated power,
//     battery, grid connection cell and feeder, renewable or not).
//   - Meter: a meter's cumulative counters; Read builds and signs an interval
//     read with an agent.Builder. The same signed report goes to ingest (the
//     oracles score it for rewards) and on chain in ReadMsg (the market
//     settles against it).
//   - AskMsg, BidMsg and RetireMsg: the market messages a household's wallet
//     sends (sell or buy Wh for an interval at a price in upin per kWh,
//     retire an energy attribute certificate).
//   - Interval and IntervalEnd: the interval clock, from the chain's
//     energy.interval_seconds.
//
// Contract: every failure is an error prefixed "agent: energy:" and wrapping
// the cause; quantities are integer Wh, W and upin.
package energy
