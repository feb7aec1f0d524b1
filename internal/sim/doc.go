// Package sim is the simulated fleet of devnet (DESIGN §3.6, §3.7): coverage
// hotspots placed at real coordinates around one city, onboarded through a
// dev maker, running the agent SDK (agent.Builder, agent.Client and
// agent/coverage's builders and SimMedium) against a node's ingest service, with a share of them
// cheating in the ways Helium saw on its network (reference/helium.md §6):
//
//   - honest devices beacon on schedule and witness every beacon their
//     simulated radio hears, with the signal the physics gives;
//   - spoofers sit in the city but assert a location far away;
//   - witness forgers report signals stronger than free space allows;
//   - replayers re-send reports ingest has already accepted (their own and
//     their neighbours'), exact or re-signed under a spent nonce;
//   - a colluding clique shares its beacons over a side channel and its
//     members witness each other out of radio range with strong signals.
//
// Every report a device sends is recorded with its class, whether it was
// forged and ingest's answer, so tests can check that the scorer gave each
// forged report the expected reason and that none of them earned. An
// auto-claimer claims each device's settled rewards for its owner once per
// poll with oracle.Claimer.
//
// The pieces: Plan places and classes the devices (a pure function of the
// Config: same seed, same fleet: placement, keys, schedules); each beacon's
// local entropy comes from crypto/rand, so no public data, the seed
// included, tells a future beacon's payload; Onboard registers them on chain in
// batched transactions, skipping those already there (a devnet restart
// resumes the same fleet); Fleet runs the agents, the entropy poller, the
// shared ingest client and the claimer (Run/Close).
//
// Contract: this is an off-chain simulation. It may use floating point and
// the wall clock for the physics and the schedules; what it produces is
// checked by ingest and scored by the integer coverage code. Work is
// bounded: one goroutine per device, a bounded report queue, bounded
// record history per device. Errors are prefixed "sim: <operation>:" and
// wrap their cause.
package sim
