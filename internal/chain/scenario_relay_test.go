package chain_test

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/depin-network/depin/internal/relay"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// Relay commands of the scenario files:
//
//	tx <r> relay/register host=<uri>
//	tx <c> relay/open relay=<r> price=<upin/MiB> deposit=<upin>
//	tx <c> relay/close relay=<r>
//	tx <r> relay/claim consumer=<c> bytes=<cumulative> [generation=<g>] [signer=<name>]
//	       (a receipt signed by signer=, the consumer by default, for the
//	       channel's generation by default)
//	tx <r> relay/redeem consumer=<c> nonce=<n> [win=all|none] [face=<upin>] [rand=<seed>]
//	       (a ticket the consumer signs; win=all makes it win for sure, win=none lose)
//	dump channels

func (s *scenario) relayMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case relay.TypeRegister:
		return mustMarshal(&relayv1.MsgRegister{HostUri: a.opt("host", "")}), true
	case relay.TypeOpen:
		return mustMarshal(&relayv1.MsgOpen{Relay: s.addrBytes(a.take("relay")), Price: a.optU64("price", 0), Deposit: a.optU64("deposit", 0)}), true
	case relay.TypeClose:
		return mustMarshal(&relayv1.MsgClose{Relay: s.addrBytes(a.take("relay"))}), true
	case relay.TypeClaim:
		c := a.take("consumer")
		ca, ra := s.addr(c), s.addr(s.signer)
		var gen uint64
		if ch, ok := relay.GetChannel(s.app.Committed(), ca, ra); ok {
			gen = ch.Generation
		}
		sr := relay.SignReceipt(keyFor(a.opt("signer", c)), &relayv1.Receipt{ChainId: s.chainID, Consumer: ca[:], Relay: ra[:],
			Bytes: a.optU64("bytes", 0), Generation: a.optU64("generation", gen)})
		return mustMarshal(&relayv1.MsgClaim{Receipt: sr}), true
	case relay.TypeRedeem:
		c := a.take("consumer")
		ca, ra := s.addr(c), s.addr(s.signer)
		rand := sha256.Sum256([]byte("scenario rand " + a.opt("rand", "0")))
		rh := relay.RandHash(rand[:])
		winProb := ^uint64(0)
		if a.opt("win", "all") == "none" {
			winProb = 1
		}
		t := &relayv1.Ticket{ChainId: s.chainID, Consumer: ca[:], Relay: ra[:], FaceValue: a.optU64("face", 1000), WinProb: winProb,
			Nonce: a.optU64("nonce", 1), RecipientRandHash: rh[:]}
		return mustMarshal(&relayv1.MsgRedeem{Ticket: relay.SignTicket(keyFor(c), t), RecipientRand: rand[:]}), true
	}
	return nil, false
}

// relayDump prints every channel between named accounts.
func (s *scenario) relayDump(b *strings.Builder, what string) bool {
	if what != "channels" {
		return false
	}
	st := s.app.Committed()
	names := s.sortedNames()
	for _, c := range names {
		for _, r := range names {
			ch, ok := relay.GetChannel(st, addrFor(c), addrFor(r))
			if !ok {
				continue
			}
			fmt.Fprintf(b, "channel %s -> %s price=%d deposited=%d balance=%d paid=%d take=%d refunded=%d bytes=%d ticket_nonce=%d generation=%d close_height=%d\n",
				c, r, ch.Price, ch.Deposited, ch.Balance, ch.Paid, ch.Take, ch.Refunded, ch.Bytes, ch.TicketNonce, ch.Generation, ch.CloseHeight)
		}
	}
	for _, r := range names {
		if rl, ok := relay.GetRelay(st, addrFor(r)); ok {
			fmt.Fprintf(b, "relay %s tickets_won=%d earned=%d\n", r, rl.TicketsWon, rl.Earned)
		}
	}
	return true
}
