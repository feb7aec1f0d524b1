// Package market is the ledger's open market: providers offer physical
// resources, consumers open orders, providers bid, a consumer accepts a bid
// and a lease streams payment from escrow to the provider every block until
// it closes (the shape of Akash's x/market and x/escrow,
// reference/markets.md §1).
//
// Providers register with a host URI and self-declared attributes; auditors
// (a set managed by the params authority) attest provider attributes. An
// order names a kind, a quantity, requirements (attributes, and auditors of
// which all_of or any_of must have attested them), a maximum price per unit
// per block, a duration in blocks and a deposit, which moves into escrow. A
// bid (one per provider and order) names a price at most the maximum and
// posts collateral; it can be accepted until it times out. Accepting starts
// a lease at rate = price × quantity upin per block; the other bids lose and
// get their collateral back.
//
// Streaming escrow: a lease is paid through settled_height. It sits in a
// due queue keyed by its next settlement height; EndBlock settles only the
// leases due at the block's height, so a block's work is proportional to
// the leases due in it, never to all open leases (Akash settles lazily and
// lets overdrawn leases run until someone transacts: node#1635). At each
// settlement the elapsed blocks are paid (the take rate in basis points to
// the treasury, the rest to the provider) and the next settlement is
// scheduled market.settle_period_blocks ahead, or sooner: at the last block
// the balance can pay. A lease whose balance cannot pay one more block
// closes there with insufficient_funds, so a provider is never paid more
// than was deposited and no lease runs unpaid. Anyone may deposit into an
// active lease; payments draw from the oldest deposit first and what is left
// is refunded to each depositor in order when the lease closes. Close
// reasons are range-coded as in Akash: 1-9999 owner, 10000-19999 provider,
// 20000 and up network.
//
// Usage receipts: a consumer signs Receipts over its own signing domain
// (ReceiptDomain); its provider submits them in batches on chain. A valid
// receipt debits the payer's credits (package credit) and counts the
// credits spent with the provider in the running reward epoch; a receipt
// the payer cannot cover pays nothing and says why in its event. When an
// epoch settles, the usage pool is split pro-rata to those credits
// (PayUsage).
//
// Contract: every handler is a pure value transform over a ledger.Store: it
// checks the prior state and the message first and writes only when all
// checks pass; a rejection is a *ledger.Error with a stable code and
// changes nothing. No wall clock, floats, randomness or map iteration
// reaches state or events. Escrow and collateral are held by the module
// accounts Escrow and Collateral; Invariants checks that their balances
// equal what open orders, leases and bids hold, and that every lease's
// paid + take + refunded + balance equals its deposits.
package market
