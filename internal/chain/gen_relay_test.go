package chain_test

import (
	"slices"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/relay"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// Relay messages for the determinism generator. A claim touches the
// channel of its consumer, who is kept out of the block (g.claim); a
// consumer's open and close touch only its own channels.

func (g *gen) relayValid(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	me := addrFor(name)
	if _, isRelay := relay.GetRelay(g.st, me); isRelay {
		// Claim the next receipt of a consumer with an open channel.
		for _, c := range append(slices.Clone(g.funded), g.admins...) {
			ca := addrFor(c)
			ch, found := relay.GetChannel(g.st, ca, me)
			if !found || ch.CloseHeight != 0 || ch.Balance < 2 || g.used[ca] {
				continue
			}
			n := ch.Bytes + 1 + uint64(g.side(name, "bytes", int(min(ch.Balance/ch.Price, 1<<20))+1))*relay.MiB/2
			if cost, _ := relay.Cost(n, ch.Price); cost > ch.Balance+mustCost(ch.Bytes, ch.Price) {
				continue
			}
			g.claim(ca[:])
			sr := relay.SignReceipt(keyFor(c), &relayv1.Receipt{ChainId: g.chainID, Consumer: ca[:], Relay: me[:], Bytes: n, Generation: ch.Generation})
			return ok(relay.TypeClaim, marketMsg(relay.TypeClaim, &relayv1.MsgClaim{Receipt: sr}))
		}
	} else if g.isProvider(name) {
		return ok(relay.TypeRegister, marketMsg(relay.TypeRegister, &relayv1.MsgRegister{HostUri: "https://" + name + ".relay"}))
	}
	// Open a channel with a relay (never one of this block's claimants'
	// consumers: name signs only this tx).
	for _, r := range append(slices.Clone(g.funded), g.admins...) {
		ra := addrFor(r)
		if _, isRelay := relay.GetRelay(g.st, ra); !isRelay || ra == me {
			continue
		}
		ch, found := relay.GetChannel(g.st, me, ra)
		if found && ch.CloseHeight >= g.height() {
			continue
		}
		price := params.Get(g.st, relay.MinPrice) + uint64(g.side(name, "price", 1_000))
		if found && ch.Balance > 0 {
			if g.side(name, "close", 100) < 30 {
				return ok(relay.TypeClose, marketMsg(relay.TypeClose, &relayv1.MsgClose{Relay: ra[:]}))
			}
			price = ch.Price
		}
		dep := params.Get(g.st, relay.MinDeposit) + uint64(g.side(name, "deposit", 1_000_000))
		return ok(relay.TypeOpen, marketMsg(relay.TypeOpen, &relayv1.MsgOpen{Relay: ra[:], Price: price, Deposit: dep}))
	}
	return planned{}, false
}

func mustCost(b, price uint64) uint64 {
	c, _ := relay.Cost(b, price)
	return c
}

func (g *gen) relayInvalid(name string) (planned, bool) {
	me := addrFor(name)
	other := g.otherAccount(name)
	oa := addrFor(other)
	// A receipt the consumer did not sign: the claimant signs it itself.
	sr := relay.SignReceipt(keyFor(name), &relayv1.Receipt{ChainId: g.chainID, Consumer: oa[:], Relay: me[:], Bytes: 1})
	code := relay.CodeForgedReceipt
	if _, isRelay := relay.GetRelay(g.st, me); !isRelay {
		code = relay.CodeUnknownRelay
	}
	return planned{raw: g.tx(name, marketMsg(relay.TypeClaim, &relayv1.MsgClaim{Receipt: sr})), want: code, label: "bad:relay_forged_receipt"}, true
}
