package bank

import "github.com/depin-network/depin/internal/ledger"

// Gauges reports the token supply (app.Module.Gauges).
func Gauges(st ledger.Store) []ledger.Gauge {
	s := GetSupply(st)
	return []ledger.Gauge{
		ledger.SingleGauge("depin_bank_supply", "Token supply in base units: everything minted (genesis included) minus everything burned.", s.Total),
	}
}
