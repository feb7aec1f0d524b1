package credit

import "github.com/depin-network/depin/internal/ledger"

// Gauges reports the credits outstanding (app.Module.Gauges).
func Gauges(st ledger.Store) []ledger.Gauge {
	return []ledger.Gauge{
		ledger.SingleGauge("depin_credit_outstanding", "Credits held by accounts: bought by burning tokens, not yet spent on usage.", GetTotals(st).Outstanding),
	}
}
