// Package credit holds the ledger's credits: the unit consumers pay for
// usage with, bought by burning PIN (burn-and-mint, as Helium's Data
// Credits: helium-program-library mint_data_credits_v0.rs).
//
// MsgBuy ("credits/buy") burns credits × credit.price_upin upin from the
// signer and mints the credits to any beneficiary. Credits cannot be
// transferred: the only way they leave an account is Spend, which the market
// calls for a consumer-signed usage receipt. Every upin burned is counted
// (Totals.BurnedUpin) and also added to a pending total; at each reward
// epoch's end Remint takes credit.remint_bps of it, capped by
// credit.remint_cap_upin, as extra emission of that epoch (helium/HIP
// HIP-20 net emissions re-emit burned HNT up to a cap) and clears it.
//
// Contract: pure functions over a ledger.Store; a rejection is a
// *ledger.Error with a stable code and changes nothing; no wall clock,
// floats or map iteration reaches state or events. State lives under
// Prefix; Invariants checks that the balances sum to Totals.Outstanding
// and that Outstanding = Bought − Spent.
package credit
