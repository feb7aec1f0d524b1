// Package relay is the ledger's relay module: relays carry bytes from a
// source to consumers (Theta/Livepeer-like, reference/next-stage.md §5) and
// are paid only for bytes consumers signed for.
//
// A relay is a market provider registered with MsgRegister. A consumer
// opens a channel with a relay (MsgOpen): a price in upin per MiB and a
// deposit held in escrow. Two ways to pay draw from it:
//
//   - cumulative receipts: after each chunk the consumer signs a Receipt of
//     the total bytes received on the channel; the relay keeps only the
//     latest and claims it (MsgClaim) when it likes. A claim pays
//     cost(bytes) − cost(bytes already paid), cost(b) = b × price / 2^20
//     rounded down, so claiming often or rarely pays the same. A receipt
//     signed by another key than the consumer's is forged, one for another
//     relay or chain is refused, one equal to the last paid is a replay,
//     one below it is not monotonic, and one whose cost exceeds what the
//     channel holds is over the limit: each refused with its code and
//     changing nothing. The bytes paid count for the relay pool (PayPool,
//     a reward.Payer) in the running reward epoch;
//   - probabilistic tickets (Livepeer's scheme): the relay commits to a
//     random value by its hash, the consumer signs a Ticket with a face
//     value, a win probability win_prob / 2^64 and a nonce; the ticket
//     wins when SHA-256(signature | rand) read as a big-endian uint64 is
//     below win_prob. Neither party alone controls the outcome: the
//     consumer signs before seeing rand, the relay committed rand before
//     seeing the signature (and ed25519 signatures are deterministic). A
//     ticket is worth face_value × win_prob / 2^64 in expectation, so a
//     consumer paying price p per chunk signs tickets of face value
//     p × 2^64 / win_prob (FaceValue). Only winners are redeemed
//     (MsgRedeem), in increasing nonce order; a winner pays its face value
//     from the channel, or what is left of it.
//
// Closing: the consumer's MsgClose refunds the balance after
// relay.close_grace_blocks, during which the relay may still claim its
// latest receipt and redeem tickets.
//
// Contract: pure handlers over a ledger.Store; a rejection is a
// *ledger.Error with a stable code (740-769) and changes nothing. No wall
// clock, floats, randomness or map iteration reaches state or events.
// Invariants: the escrow account holds the channels' balances, and every
// channel's deposited = paid + refunded + balance.
package relay
