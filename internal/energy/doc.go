// Package energy is the ledger's peer-to-peer energy market (the shape of
// Grid Singularity's exchange and Energy Web Origin's certificates,
// reference/frameworks.md §4): households post asks and bids of watt-hours
// per interval and grid zone, a uniform-price double auction clears each
// interval and zone in end block, device-signed interval reads committed on
// chain decide what was delivered, settlement pays for what the meter shows
// and says why for every line, and settled renewable energy mints
// certificates that a consumer retires against its metered consumption.
//
// Orders (energy/ask, energy/bid) name an energy device the signer owns,
// an interval and Wh at most the device's rated power × interval, and a
// price in upin per kWh. The device's grid zone (internal/kind/energy.Zone)
// is the order's market. A bid moves its value (Wh × price / 1000, rounded
// down) into Escrow; an ask moves energy_market.collateral_bps of its value
// as collateral. Orders close energy_market.gate_closure_seconds before the
// interval starts; end block then runs Clear over the zone's book (ties and
// the price rule are documented on Clear) and refunds unmatched orders.
//
// Metered delivery reaches the chain as energy/read: the signed report a
// meter sends to ingest, submitted by anyone. It is trustworthy because
// the key that signs it was certified by the device's maker when the device
// onboarded, the signature covers the whole read, and the chain applies the
// kind's physics (internal/kind/energy.Check) against the device's last
// accepted read before storing it: counters never go back, no counter
// grows faster than rated power allows, export never exceeds production +
// import + battery discharge, one read per interval. At settlement the
// production of the zone's complete renewable reads is compared with their
// median (internal/kind/energy.Peers), which catches a meter inflating its
// production and export together. Reads of interval i are taken until
// energy_market.read_window_seconds after it ends; then end block settles
// it (settle.go has the rules). The oracles score the same reads off chain
// for rewards, with the same checks.
//
// Certificates are not transferable: one is minted to the buyer for every
// energy_market.certificate_wh of renewable energy a source device
// delivered to it, records the interval, zone and source device, and can
// only be retired by its holder, against the holder's metered consumption
// (Wh imported in complete reads, less Wh already retired), once. Binding
// the attribute to the consumer who bought and took the energy in the same
// zone and interval keeps every claim backed by physical delivery; a
// transferable certificate could be sold away from the consumption it
// matched and claimed by someone who consumed elsewhere.
//
// Contract: handlers are pure value transforms over a ledger.Store; a
// rejection is a *ledger.Error with a stable code (650-699) and changes
// nothing. No wall clock, floats, randomness or map iteration reach state
// or events (maps are only looked up). Invariants checks that Escrow holds
// the escrow of every order not yet paid out; by construction, for every
// interval and zone, payments + refunds + penalties = escrow and each
// seller's paid Wh ≤ its metered export.
package energy
