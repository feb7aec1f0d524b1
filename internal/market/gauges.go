package market

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
)

// Gauges reports the market's levels (app.Module.Gauges): active leases
// (the due queue holds each once), open orders, providers, and the tokens
// held in escrow and as collateral. Key scans only.
func Gauges(st ledger.Store) []ledger.Gauge {
	count := func(tag byte) uint64 {
		var n uint64
		ledger.IteratePrefix(st, key(tag), func(_, _ []byte) bool { n++; return true })
		return n
	}
	return []ledger.Gauge{
		ledger.SingleGauge("depin_market_leases_active", "Active market leases (streaming payment from escrow).", count(tagDue)),
		ledger.SingleGauge("depin_market_orders_open", "Market orders open for bids.", count(tagOpenOrder)),
		ledger.SingleGauge("depin_market_providers", "Registered market providers.", count(tagProvider)),
		ledger.SingleGauge("depin_market_escrow", "Tokens in base units held in escrow for open orders and active leases.", bank.Balance(st, Escrow)),
		ledger.SingleGauge("depin_market_collateral", "Tokens in base units held as providers' bid collateral.", bank.Balance(st, Collateral)),
	}
}
