package relay

import (
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// Message type names.
const (
	TypeRegister = "relay/register"
	TypeOpen     = "relay/open"
	TypeClose    = "relay/close"
	TypeClaim    = "relay/claim"
	TypeRedeem   = "relay/redeem"
)

// Register adds the relay messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeRegister, handleRegister)
	rt.Add(TypeOpen, handleOpen)
	rt.Add(TypeClose, handleClose)
	rt.Add(TypeClaim, handleClaim)
	rt.Add(TypeRedeem, handleRedeem)
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

func move(ctx *ledger.Context, from, to ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return nil
	}
	if e := bank.Transfer(ctx.Store, from, to, amount); e != nil {
		return e
	}
	if !ctx.NoEvents {
		ctx.Emit("bank.transfer", ledger.A("from", from.String()), ledger.A("to", to.String()), ledger.AU64("amount", amount))
	}
	return nil
}

// payRelay pays amount from the escrow: the take (market.take_rate_bps,
// rounded down) to the treasury and the rest to the relay. It returns the
// take.
func payRelay(ctx *ledger.Context, relay ledger.Address, amount uint64) (uint64, *ledger.Error) {
	take, _ := ledger.MulDiv(amount, params.Get(ctx.Store, market.TakeRateBps), 10_000)
	if e := move(ctx, Escrow, Treasury, take); e != nil {
		return 0, e
	}
	if e := move(ctx, Escrow, relay, amount-take); e != nil {
		return 0, e
	}
	return take, nil
}

func handleRegister(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m relayv1.MsgRegister
	if e := ledger.Unmarshal(TypeRegister, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	if _, ok := market.GetProvider(st, ctx.Signer); !ok {
		return ledger.Errorf(CodeNotMarketProvider, "%s is not a market provider (market/create-provider first)", ctx.Signer)
	}
	if len(m.HostUri) > 256 {
		return ledger.Errorf(ledger.CodeTooLarge, "host uri of %d bytes, at most 256", len(m.HostUri))
	}
	r, ok := GetRelay(st, ctx.Signer)
	if !ok {
		var n uint64
		ledger.IteratePrefix(st, key(tagRelay), func(_, _ []byte) bool { n++; return true })
		if max := params.Get(st, MaxRelays); n >= max {
			return ledger.Errorf(CodeRelaySetFull, "%d relays are registered, at most %d allowed", n, max)
		}
		r = &relayv1.Relay{Address: ctx.Signer[:]}
	}
	r.HostUri = m.HostUri
	putRelay(st, r)
	ctx.Emit("relay.register", ledger.A("relay", ctx.SignerString()), ledger.A("host_uri", m.HostUri))
	return nil
}

func handleOpen(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m relayv1.MsgOpen
	if e := ledger.Unmarshal(TypeOpen, raw, &m); e != nil {
		return e
	}
	ra, err := ledger.AddressFromBytes(m.Relay)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "relay: %v", err)
	}
	st := ctx.Store
	if _, ok := GetRelay(st, ra); !ok {
		return ledger.Errorf(CodeUnknownRelay, "%s is not a relay", ra)
	}
	// A relay is a market provider keyed by its owner's address, so the
	// relay's address is also its owner's and operator's: a channel with
	// oneself would buy relay-pool share with one's own money.
	if ra == ctx.Signer {
		return ledger.Errorf(CodeSelfChannel, "%s cannot open a channel with itself as the relay", ra)
	}
	if m.Price == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "the price per MiB must be positive")
	}
	if min := params.Get(st, MinPrice); m.Price < min {
		return ledger.Errorf(CodePriceTooLow, "a price of %d upin/MiB is below relay.min_price_per_mib %d", m.Price, min)
	}
	if min := params.Get(st, MinDeposit); m.Deposit < min {
		return ledger.Errorf(CodeDepositTooLow, "a deposit of %d upin is below relay.min_deposit %d", m.Deposit, min)
	}
	c, ok := GetChannel(st, ctx.Signer, ra)
	if !ok {
		c = &relayv1.Channel{Consumer: ctx.Signer[:], Relay: ra[:], Price: m.Price, OpenedHeight: ctx.Height, Generation: 1}
	}
	if c.CloseHeight != 0 && c.CloseHeight >= ctx.Height {
		return ledger.Errorf(CodeChannelClosing, "the channel with %s is closing at height %d", ra, c.CloseHeight)
	}
	if ok && c.Balance > 0 && c.Price != m.Price {
		return ledger.Errorf(CodePriceMismatch, "the channel's price is %d upin/MiB, not %d", c.Price, m.Price)
	}
	dep, ok1 := ledger.Add(c.Deposited, m.Deposit)
	bal, ok2 := ledger.Add(c.Balance, m.Deposit)
	if !ok1 || !ok2 {
		return ledger.Errorf(ledger.CodeOverflow, "the channel's deposit would overflow")
	}
	if e := move(ctx, ctx.Signer, Escrow, m.Deposit); e != nil {
		return e
	}
	// A reopened channel keeps its cumulative bytes and ticket nonce, so
	// old receipts and tickets stay spent; a reopen after the refund or a
	// new price starts a new generation, so receipts signed under the old
	// terms cannot be claimed under the new ones.
	gen := c.Generation
	if ok && (c.CloseHeight != 0 || c.Price != m.Price) {
		gen++
	}
	c.Generation = gen
	c.Deposited, c.Balance, c.Price, c.CloseHeight = dep, bal, m.Price, 0
	putChannel(st, c)
	ctx.Emit("relay.open", ledger.A("consumer", ctx.SignerString()), ledger.A("relay", ra.String()),
		ledger.AU64("price", c.Price), ledger.AU64("deposit", m.Deposit), ledger.AU64("balance", c.Balance),
		ledger.AU64("generation", c.Generation))
	return nil
}

// openChannel loads a channel that pays: it exists and has not refunded.
func openChannel(ctx *ledger.Context, consumer, relay ledger.Address) (*relayv1.Channel, *ledger.Error) {
	c, ok := GetChannel(ctx.Store, consumer, relay)
	if !ok || (c.CloseHeight != 0 && c.CloseHeight <= ctx.Height) {
		return nil, ledger.Errorf(CodeUnknownChannel, "no open channel of %s with relay %s", consumer, relay)
	}
	return c, nil
}

func handleClose(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m relayv1.MsgClose
	if e := ledger.Unmarshal(TypeClose, raw, &m); e != nil {
		return e
	}
	ra, err := ledger.AddressFromBytes(m.Relay)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "relay: %v", err)
	}
	st := ctx.Store
	c, e := openChannel(ctx, ctx.Signer, ra)
	if e != nil {
		return e
	}
	if c.CloseHeight != 0 {
		return ledger.Errorf(CodeChannelClosing, "the channel with %s is closing at height %d", ra, c.CloseHeight)
	}
	c.CloseHeight = ctx.Height + int64(params.Get(st, CloseGrace))
	st.Set(closingKey(c.CloseHeight, ctx.Signer, ra), []byte{})
	putChannel(st, c)
	ctx.Emit("relay.closing", ledger.A("consumer", ctx.SignerString()), ledger.A("relay", ra.String()),
		ledger.A("close_height", i64(c.CloseHeight)))
	return nil
}

// EndBlock refunds the channels whose close height is this block's.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	var due [][]byte
	st.Iterate(key(tagClosing), key(tagClosing, ledger.U64(uint64(ctx.Height)+1)), func(k, _ []byte) bool {
		due = append(due, k)
		return true
	})
	for _, k := range due {
		n := len(k)
		consumer, relay := addr(k[n-2*ledger.AddressLen:n-ledger.AddressLen]), addr(k[n-ledger.AddressLen:])
		st.Delete(k)
		c, ok := GetChannel(st, consumer, relay)
		if !ok {
			panic("relay: the closing queue names a channel that does not exist")
		}
		if e := move(ctx, Escrow, consumer, c.Balance); e != nil {
			return e
		}
		c.Refunded += c.Balance
		c.Balance = 0
		putChannel(st, c)
		ctx.Emit("relay.closed", ledger.A("consumer", consumer.String()), ledger.A("relay", relay.String()),
			ledger.AU64("paid", c.Paid), ledger.AU64("refunded", c.Refunded), ledger.AU64("bytes", c.Bytes))
	}
	return nil
}
