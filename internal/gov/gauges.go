package gov

import (
	"github.com/depin-network/depin/internal/ledger"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// Gauges reports the proposals by status (app.Module.Gauges).
func Gauges(st ledger.Store) []ledger.Gauge {
	statuses := []govv1.Status{govv1.Status_STATUS_DEPOSIT_PERIOD, govv1.Status_STATUS_VOTING_PERIOD, govv1.Status_STATUS_PASSED,
		govv1.Status_STATUS_REJECTED, govv1.Status_STATUS_FAILED, govv1.Status_STATUS_DROPPED}
	counts := map[govv1.Status]uint64{}
	var after uint64
	for {
		page := Proposals(st, after, 256)
		for _, p := range page {
			counts[p.Status]++
			after = p.Id
		}
		if len(page) < 256 {
			break
		}
	}
	g := ledger.Gauge{Name: "depin_gov_proposals_by_status", Help: "Governance proposals by status.", Label: "status"}
	for _, s := range statuses {
		g.Values = append(g.Values, ledger.GaugeValue{Label: StatusName(s), Value: counts[s]})
	}
	return []ledger.Gauge{g}
}
