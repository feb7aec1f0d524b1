package relay

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// DecodeTicket decodes a ticket strictly and checks its fields.
func DecodeTicket(raw []byte) (*relayv1.Ticket, *ledger.Error) {
	t := new(relayv1.Ticket)
	if e := ledger.Unmarshal("relay ticket", raw, t); e != nil {
		return nil, e
	}
	if _, err := ledger.AddressFromBytes(t.Consumer); err != nil {
		return nil, ledger.Errorf(ledger.CodeInvalidAddress, "ticket consumer: %v", err)
	}
	if _, err := ledger.AddressFromBytes(t.Relay); err != nil {
		return nil, ledger.Errorf(ledger.CodeInvalidAddress, "ticket relay: %v", err)
	}
	if t.FaceValue == 0 || t.WinProb == 0 || t.Nonce == 0 {
		return nil, ledger.Errorf(ledger.CodeInvalidAmount, "ticket face value, win probability and nonce must be positive")
	}
	if len(t.RecipientRandHash) != 32 {
		return nil, ledger.Errorf(ledger.CodeMalformed, "ticket recipient_rand_hash has %d bytes, want 32", len(t.RecipientRandHash))
	}
	return t, nil
}

// SignTicket encodes a ticket and signs it with the consumer's key.
func SignTicket(priv sig.PrivateKey, t *relayv1.Ticket) *relayv1.SignedTicket {
	raw := ledger.Encode(t)
	return &relayv1.SignedTicket{Ticket: raw, PubKey: sig.PublicOf(priv), Signature: sig.Sign(priv, TicketDomain, raw)}
}

// Wins reports whether a ticket with signature sig wins given the relay's
// rand: SHA-256(sig | rand) as a big-endian uint64 is below winProb, which
// happens with probability winProb / 2^64.
func Wins(signature, rand []byte, winProb uint64) bool {
	h := sha256.New()
	h.Write(signature)
	h.Write(rand)
	var out [32]byte
	h.Sum(out[:0])
	return binary.BigEndian.Uint64(out[:8]) < winProb
}

// FaceValue is the face value that makes a ticket of win probability
// winProb / 2^64 worth price in expectation: ceil(price × 2^64 / winProb);
// false when it does not fit a uint64.
func FaceValue(price, winProb uint64) (uint64, bool) {
	if winProb == 0 {
		return 0, false
	}
	hi, lo := price, uint64(0) // price × 2^64
	if hi >= winProb {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, winProb)
	if r != 0 {
		if q == ^uint64(0) {
			return 0, false
		}
		q++
	}
	return q, true
}

// RandHash is the commitment a relay gives out for its rand.
func RandHash(rand []byte) [32]byte { return sha256.Sum256(rand) }

func handleRedeem(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m relayv1.MsgRedeem
	if e := ledger.Unmarshal(TypeRedeem, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	rl, ok := GetRelay(st, ctx.Signer)
	if !ok {
		return ledger.Errorf(CodeUnknownRelay, "%s is not a relay", ctx.Signer)
	}
	st2 := m.Ticket
	if st2 == nil {
		return ledger.Errorf(ledger.CodeMalformed, "no ticket")
	}
	t, e := DecodeTicket(st2.Ticket)
	if e != nil {
		return e
	}
	consumer := addr(t.Consumer)
	if len(st2.PubKey) != sig.PubKeyLen || ledger.AddressOf(st2.PubKey) != consumer ||
		!sig.Verify(st2.PubKey, TicketDomain, st2.Ticket, st2.Signature) {
		return ledger.Errorf(CodeForgedTicket, "the ticket is not signed by its consumer %s", consumer)
	}
	if t.ChainId != ctx.ChainID {
		return ledger.Errorf(CodeWrongChain, "the ticket is for chain %q, this is %q", t.ChainId, ctx.ChainID)
	}
	if addr(t.Relay) != ctx.Signer {
		return ledger.Errorf(CodeTicketRelay, "the ticket is for relay %s, the redeemer is %s", addr(t.Relay), ctx.Signer)
	}
	if h := RandHash(m.RecipientRand); string(h[:]) != string(t.RecipientRandHash) {
		return ledger.Errorf(CodeBadRand, "the revealed rand does not hash to the ticket's recipient_rand_hash")
	}
	c, e := openChannel(ctx, consumer, ctx.Signer)
	if e != nil {
		return e
	}
	if t.Nonce <= c.TicketNonce {
		return ledger.Errorf(CodeTicketReplayed, "ticket nonce %d is not above %d, the last redeemed", t.Nonce, c.TicketNonce)
	}
	if !Wins(st2.Signature, m.RecipientRand, t.WinProb) {
		return ledger.Errorf(CodeTicketLost, "ticket %d does not win", t.Nonce)
	}
	pay := min(t.FaceValue, c.Balance)
	take, e := payRelay(ctx, ctx.Signer, pay)
	if e != nil {
		return e
	}
	c.TicketNonce = t.Nonce
	c.Balance -= pay
	c.Paid += pay
	c.Take += take
	putChannel(st, c)
	rl.TicketsWon++
	rl.Earned += pay - take
	putRelay(st, rl)
	ctx.Emit("relay.redeem", ledger.A("relay", ctx.SignerString()), ledger.A("consumer", consumer.String()),
		ledger.AU64("nonce", t.Nonce), ledger.AU64("face_value", t.FaceValue), ledger.AU64("paid", pay), ledger.AU64("take", take))
	return nil
}
