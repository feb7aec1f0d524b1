package tokensim

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// column is one series of the CSV.
type column struct {
	name string
	get  func(Row) string
}

func u(f func(Row) uint64) func(Row) string {
	return func(r Row) string { return strconv.FormatUint(f(r), 10) }
}

func fl(f func(Row) float64) func(Row) string {
	return func(r Row) string { return strconv.FormatFloat(f(r), 'g', 8, 64) }
}

func in(f func(Row) int) func(Row) string {
	return func(r Row) string { return strconv.Itoa(f(r)) }
}

// columns are the CSV's series in order: chain amounts in upin, then the
// model's values. docs/tokenomics.md describes each.
var columns = []column{
	{"day", in(func(r Row) int { return r.Day })},
	{"supply_upin", u(func(r Row) uint64 { return r.Supply })},
	{"circulating_upin", u(func(r Row) uint64 { return r.Circulating })},
	{"minted_upin", u(func(r Row) uint64 { return r.Minted })},
	{"burned_upin", u(func(r Row) uint64 { return r.Burned })},
	{"net_emission_upin", func(r Row) string { return strconv.FormatInt(r.NetEmission(), 10) }},
	{"epoch_emission_upin", u(func(r Row) uint64 { return r.Emission })},
	{"scheduled_emission_upin", u(func(r Row) uint64 { return r.Scheduled })},
	{"reminted_upin", u(func(r Row) uint64 { return r.Reminted })},
	{"credit_burn_upin", u(func(r Row) uint64 { return r.CreditBurn })},
	{"device_rewards_upin", u(func(r Row) uint64 { return r.DeviceRewards })},
	{"usage_rewards_upin", u(func(r Row) uint64 { return r.UsageRewards })},
	{"validators_pool_upin", u(func(r Row) uint64 { return r.ValidatorsPool })},
	{"oracles_paid_upin", u(func(r Row) uint64 { return r.OraclesPaid })},
	{"treasury_in_upin", u(func(r Row) uint64 { return r.TreasuryIn })},
	{"lease_paid_upin", u(func(r Row) uint64 { return r.LeasePaid })},
	{"lease_take_upin", u(func(r Row) uint64 { return r.LeaseTake })},
	{"treasury_upin", u(func(r Row) uint64 { return r.Treasury })},
	{"bonded_upin", u(func(r Row) uint64 { return r.Bonded })},
	{"unbonding_upin", u(func(r Row) uint64 { return r.Unbonding })},
	{"unclaimed_upin", u(func(r Row) uint64 { return r.Unclaimed })},
	{"price_usd", fl(func(r Row) float64 { return r.PriceUSD })},
	{"providers", in(func(r Row) int { return r.Providers })},
	{"joins", in(func(r Row) int { return r.Joins })},
	{"leaves", in(func(r Row) int { return r.Leaves })},
	{"capacity_units", fl(func(r Row) float64 { return r.Capacity })},
	{"demand_units", fl(func(r Row) float64 { return r.Demand })},
	{"served_units", fl(func(r Row) float64 { return r.Served })},
	{"revenue_per_provider_usd", fl(func(r Row) float64 { return r.RevenuePerProvider })},
	{"provider_roi", fl(func(r Row) float64 { return r.ROI })},
	{"breakeven_months", fl(func(r Row) float64 { return r.BreakEven })},
	{"staking_ratio", fl(func(r Row) float64 { return r.StakingRatio })},
	{"staking_yield", fl(func(r Row) float64 { return r.StakingYield })},
}

// ColumnNames lists the CSV's header.
func ColumnNames() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.name
	}
	return out
}

// WriteCSV writes every series of a run, one row per day. The same
// scenario and seed give the same bytes.
func WriteCSV(w io.Writer, res *Result) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(strings.Join(ColumnNames(), ","))
	bw.WriteByte('\n')
	vals := make([]string, len(columns))
	for _, r := range res.Rows {
		for i, c := range columns {
			vals[i] = c.get(r)
		}
		bw.WriteString(strings.Join(vals, ","))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
