package stake

import "github.com/depin-network/depin/internal/ledger"

// Gauges reports the bonded stake and the validators by status
// (app.Module.Gauges); the validator set is small.
func Gauges(st ledger.Store) []ledger.Gauge {
	var bonded uint64
	statuses := []string{"bonded", "unbonded", "jailed", "tombstoned"}
	counts := make(map[string]uint64, len(statuses))
	for _, v := range Validators(st) {
		bonded += v.Tokens
		counts[View(st, v).Status]++
	}
	vals := ledger.Gauge{Name: "depin_stake_validators", Help: "Validators by status: bonded (in the active set), unbonded, jailed, tombstoned.", Label: "status"}
	for _, s := range statuses {
		vals.Values = append(vals.Values, ledger.GaugeValue{Label: s, Value: counts[s]})
	}
	return []ledger.Gauge{
		ledger.SingleGauge("depin_stake_tokens", "Tokens in base units bonded to validators (self-bonds and delegations, active or not).", bonded),
		vals,
	}
}
