package relay

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// Signing domains of what consumers sign.
const (
	ReceiptDomain = "depin/relay/receipt/v1"
	TicketDomain  = "depin/relay/ticket/v1"
)

// MiB is the unit prices are per.
const MiB = 1 << 20

// Cost is what bytes cost at a price per MiB, rounded down; false on
// overflow.
func Cost(bytes, price uint64) (uint64, bool) { return ledger.MulDiv(bytes, price, MiB) }

// DecodeReceipt decodes a receipt strictly and checks its fields.
func DecodeReceipt(raw []byte) (*relayv1.Receipt, *ledger.Error) {
	r := new(relayv1.Receipt)
	if e := ledger.Unmarshal("relay receipt", raw, r); e != nil {
		return nil, e
	}
	if _, err := ledger.AddressFromBytes(r.Consumer); err != nil {
		return nil, ledger.Errorf(ledger.CodeInvalidAddress, "receipt consumer: %v", err)
	}
	if _, err := ledger.AddressFromBytes(r.Relay); err != nil {
		return nil, ledger.Errorf(ledger.CodeInvalidAddress, "receipt relay: %v", err)
	}
	if r.Bytes == 0 {
		return nil, ledger.Errorf(ledger.CodeInvalidAmount, "receipt bytes must be positive")
	}
	if len(r.Content) != 0 && len(r.Content) != 32 {
		return nil, ledger.Errorf(ledger.CodeMalformed, "receipt content hash has %d bytes, want 32", len(r.Content))
	}
	return r, nil
}

// SignReceipt encodes a receipt and signs it with the consumer's key.
func SignReceipt(priv sig.PrivateKey, r *relayv1.Receipt) *relayv1.SignedReceipt {
	raw := ledger.Encode(r)
	return &relayv1.SignedReceipt{Receipt: raw, PubKey: sig.PublicOf(priv), Signature: sig.Sign(priv, ReceiptDomain, raw)}
}

// CheckClaim checks a signed receipt claimed by relay at the context's
// height and returns it, its channel and what it pays; it writes nothing.
func CheckClaim(ctx *ledger.Context, sr *relayv1.SignedReceipt, relay ledger.Address) (*relayv1.Receipt, *relayv1.Channel, uint64, *ledger.Error) {
	if sr == nil {
		return nil, nil, 0, ledger.Errorf(ledger.CodeMalformed, "no receipt")
	}
	r, e := DecodeReceipt(sr.Receipt)
	if e != nil {
		return nil, nil, 0, e
	}
	consumer := addr(r.Consumer)
	if len(sr.PubKey) != sig.PubKeyLen || ledger.AddressOf(sr.PubKey) != consumer ||
		!sig.Verify(sr.PubKey, ReceiptDomain, sr.Receipt, sr.Signature) {
		return nil, nil, 0, ledger.Errorf(CodeForgedReceipt, "the receipt is not signed by its consumer %s", consumer)
	}
	if r.ChainId != ctx.ChainID {
		return nil, nil, 0, ledger.Errorf(CodeWrongChain, "the receipt is for chain %q, this is %q", r.ChainId, ctx.ChainID)
	}
	if addr(r.Relay) != relay {
		return nil, nil, 0, ledger.Errorf(CodeReceiptRelay, "the receipt is for relay %s, the claimant is %s", addr(r.Relay), relay)
	}
	c, e := openChannel(ctx, consumer, relay)
	if e != nil {
		return nil, nil, 0, e
	}
	if r.Generation != c.Generation {
		return nil, nil, 0, ledger.Errorf(CodeWrongGeneration, "the receipt is for generation %d of the channel, it is at %d", r.Generation, c.Generation)
	}
	switch {
	case r.Bytes == c.Bytes:
		return nil, nil, 0, ledger.Errorf(CodeReceiptReplayed, "the receipt's %d bytes were paid already", r.Bytes)
	case r.Bytes < c.Bytes:
		return nil, nil, 0, ledger.Errorf(CodeNotMonotonic, "the receipt's %d bytes are below the %d paid", r.Bytes, c.Bytes)
	}
	now, ok1 := Cost(r.Bytes, c.Price)
	before, _ := Cost(c.Bytes, c.Price)
	if !ok1 || now-before > c.Balance {
		return nil, nil, 0, ledger.Errorf(CodeOverLimit, "%d bytes at %d upin/MiB cost more than the channel's %d upin", r.Bytes-c.Bytes, c.Price, c.Balance)
	}
	return r, c, now - before, nil
}

func handleClaim(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m relayv1.MsgClaim
	if e := ledger.Unmarshal(TypeClaim, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	rl, ok := GetRelay(st, ctx.Signer)
	if !ok {
		return ledger.Errorf(CodeUnknownRelay, "%s is not a relay", ctx.Signer)
	}
	r, c, pay, e := CheckClaim(ctx, m.Receipt, ctx.Signer)
	if e != nil {
		return e
	}
	delta := r.Bytes - c.Bytes
	epoch := reward.CurrentEpoch(st).Number
	eb, ok1 := ledger.Add(EpochBytes(st, epoch, ctx.Signer), delta)
	tb, ok2 := ledger.Add(rl.Bytes, delta)
	ep, ok3 := ledger.Add(EpochPaid(st, epoch, ctx.Signer), pay)
	if !ok1 || !ok2 || !ok3 {
		return ledger.Errorf(ledger.CodeOverflow, "the bytes of relay %s overflow", ctx.Signer)
	}
	take, e := payRelay(ctx, ctx.Signer, pay)
	if e != nil {
		return e
	}
	c.Bytes = r.Bytes
	c.Balance -= pay
	c.Paid += pay
	c.Take += take
	putChannel(st, c)
	ledger.SetU64(st, workKey(epoch, ctx.Signer), eb)
	ledger.SetU64(st, paidKey(epoch, ctx.Signer), ep)
	rl.Bytes = tb
	rl.Earned += pay - take // at most the supply
	putRelay(st, rl)
	ctx.Emit("relay.claim", ledger.A("relay", ctx.SignerString()), ledger.A("consumer", addr(r.Consumer).String()),
		ledger.AU64("bytes", r.Bytes), ledger.AU64("new_bytes", delta), ledger.AU64("paid", pay), ledger.AU64("take", take),
		ledger.AU64("balance", c.Balance))
	return nil
}
