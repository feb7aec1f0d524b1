// Package energysim simulates a neighbourhood of energy households for the
// devnet, the tests and the benchmarks: rooftop solar whose output follows
// the sun's elevation for a latitude and day of the year, with clouds as a
// noise process shared by the zone and a little per-roof noise; batteries
// that absorb surplus and cover deficits within their charge rate; house
// loads with morning and evening peaks; and a trading strategy that asks
// the forecast surplus and bids the forecast deficit of an interval ahead.
//
// Three adversaries run beside the honest households:
//   - OverReporter doubles its production and claims the extra as export;
//     the rated-power bound or its zone's peer check catches every read.
//   - Backwards resets its counters now and then; the chain refuses those
//     reads (counter_backwards) and the interval settles as not measured.
//   - EarlySeller sells more than it can produce and sends its read before
//     the interval is over (read_early); it is paid only what a later
//     read shows and pays the shortfall penalty.
//
// Household and Fleet (model.go) are the physics and the strategy: pure,
// seeded, deterministic. Sim (sim.go) runs a fleet against a node: onboards
// the meters, commits each interval's signed reads on chain, sends them to
// ingest and places the orders. The simulation may use floating point: it is
// a device, and everything it sends is checked by the kind and the market.
package energysim
