package relay

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the relay module.
var (
	MinDeposit = params.Spec{Name: "relay.min_deposit", Default: 10_000, Min: 1, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "smallest deposit that opens a channel"}
	CloseGrace = params.Spec{Name: "relay.close_grace_blocks", Default: 20, Min: 1, Max: 1_000_000, Unit: "blocks",
		Doc: "blocks a closing channel still pays the relay's claims before it refunds"}
	MinPrice = params.Spec{Name: "relay.min_price_per_mib", Default: 10, Min: 1, Max: 1_000_000_000, Unit: "upin/MiB",
		Doc: "lowest price per MiB a channel may be opened at"}
	MaxRelays = params.Spec{Name: "relay.max_relays", Default: 10_000, Min: 1, Max: 1_000_000, Unit: "relays",
		Doc: "most registered relays"}
)

// Specs lists the relay module's parameters.
func Specs() []params.Spec { return []params.Spec{MinDeposit, CloseGrace, MaxRelays, MinPrice} }

// Result codes of the relay module (its range is 740-769).
const (
	CodeUnknownRelay      ledger.Code = 740 // not a relay
	CodeNotMarketProvider ledger.Code = 741 // the signer is not a market provider
	CodeUnknownChannel    ledger.Code = 742 // no channel between that consumer and relay
	CodeChannelClosing    ledger.Code = 743 // the channel is closing
	CodeForgedReceipt     ledger.Code = 744 // the receipt's key or signature is not the consumer's
	CodeReceiptRelay      ledger.Code = 745 // the receipt names another relay than the signer
	CodeReceiptReplayed   ledger.Code = 746 // the receipt's bytes equal the last paid
	CodeNotMonotonic      ledger.Code = 747 // the receipt's bytes are below the last paid
	CodeOverLimit         ledger.Code = 748 // the receipt costs more than the channel holds
	CodeWrongChain        ledger.Code = 749 // the receipt or ticket is for another chain
	CodeForgedTicket      ledger.Code = 750 // the ticket's key or signature is not the consumer's
	CodeTicketReplayed    ledger.Code = 751 // the ticket's nonce is not above the last redeemed
	CodeTicketLost        ledger.Code = 752 // the ticket does not win
	CodeBadRand           ledger.Code = 753 // the revealed rand does not match the ticket's hash
	CodeTicketRelay       ledger.Code = 754 // the ticket names another relay than the signer
	CodePriceMismatch     ledger.Code = 755 // a top-up names another price than the channel's
	CodeRelaySetFull      ledger.Code = 756 // relay.max_relays are registered
	CodeDepositTooLow     ledger.Code = 757 // below relay.min_deposit
	CodeSelfChannel       ledger.Code = 758 // a consumer opens a channel with itself as the relay
	CodePriceTooLow       ledger.Code = 759 // below relay.min_price_per_mib
	CodeWrongGeneration   ledger.Code = 760 // the receipt names another channel generation
)

func init() {
	for _, c := range []struct {
		code ledger.Code
		name string
	}{
		{CodeUnknownRelay, "unknown_relay"},
		{CodeNotMarketProvider, "relay_not_market_provider"},
		{CodeUnknownChannel, "unknown_channel"},
		{CodeChannelClosing, "channel_closing"},
		{CodeForgedReceipt, "relay_forged_receipt"},
		{CodeReceiptRelay, "receipt_wrong_relay"},
		{CodeReceiptReplayed, "relay_receipt_replayed"},
		{CodeNotMonotonic, "receipt_not_monotonic"},
		{CodeOverLimit, "receipt_over_limit"},
		{CodeWrongChain, "relay_wrong_chain"},
		{CodeForgedTicket, "forged_ticket"},
		{CodeTicketReplayed, "ticket_replayed"},
		{CodeTicketLost, "ticket_lost"},
		{CodeBadRand, "ticket_bad_rand"},
		{CodeTicketRelay, "ticket_wrong_relay"},
		{CodePriceMismatch, "channel_price_mismatch"},
		{CodeRelaySetFull, "relay_set_full"},
		{CodeDepositTooLow, "relay_deposit_too_low"},
		{CodeSelfChannel, "relay_self_channel"},
		{CodePriceTooLow, "relay_price_too_low"},
		{CodeWrongGeneration, "receipt_wrong_generation"},
	} {
		ledger.RegisterCode(c.code, c.name)
	}
}

// Module accounts of the relay module.
var (
	// Escrow holds the channels' balances.
	Escrow = ledger.ModuleAddress("relay_escrow")
	// Treasury receives the relay pool's rounding remainder and the take
	// (market.take_rate_bps) of every claim and redemption.
	Treasury = ledger.ModuleAddress("treasury")
)
