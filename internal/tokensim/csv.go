package tokensim

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// column is one series of the CSV.
type column struct {
	name, doc string
	get       func(Row) string
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
	{"day", "day of the run (= reward epoch number)", in(func(r Row) int { return r.Day })},
	{"supply_upin", "total supply at the end of the day (bank: minted − burned)", u(func(r Row) uint64 { return r.Supply })},
	{"circulating_upin", "liquid balances: holders, consumers, providers, oracle, validator operators", u(func(r Row) uint64 { return r.Circulating })},
	{"minted_upin", "minted today: the settlement of yesterday's epoch", u(func(r Row) uint64 { return r.Minted })},
	{"burned_upin", "burned today: credits bought, burned deposits, slashes", u(func(r Row) uint64 { return r.Burned })},
	{"net_emission_upin", "minted − burned (negative when the burn wins)", func(r Row) string { return strconv.FormatInt(r.NetEmission(), 10) }},
	{"epoch_emission_upin", "today's epoch emission as the reward module recorded it", u(func(r Row) uint64 { return r.Emission })},
	{"scheduled_emission_upin", "its part from the emission schedule (halvings)", u(func(r Row) uint64 { return r.Scheduled })},
	{"reminted_upin", "its part re-minted from today's credit burn (credit.remint_bps, capped)", u(func(r Row) uint64 { return r.Reminted })},
	{"credit_burn_upin", "PIN burned for credits today", u(func(r Row) uint64 { return r.CreditBurn })},
	{"device_rewards_upin", "claimed by both provider classes from the device pools today", u(func(r Row) uint64 { return r.DeviceRewards })},
	{"usage_rewards_upin", "paid to the serving providers from the usage pool today", u(func(r Row) uint64 { return r.UsageRewards })},
	{"validators_pool_upin", "handed to staking from the validators pool today", u(func(r Row) uint64 { return r.ValidatorsPool })},
	{"oracles_paid_upin", "paid to the oracle today", u(func(r Row) uint64 { return r.OraclesPaid })},
	{"treasury_in_upin", "minted to the treasury at today's settlement (pool, remainders)", u(func(r Row) uint64 { return r.TreasuryIn })},
	{"lease_paid_upin", "lease escrow paid to the provider today", u(func(r Row) uint64 { return r.LeasePaid })},
	{"lease_take_upin", "lease escrow taken for the treasury today (market.take_rate_bps)", u(func(r Row) uint64 { return r.LeaseTake })},
	{"treasury_upin", "treasury balance", u(func(r Row) uint64 { return r.Treasury })},
	{"bonded_upin", "bonded stake", u(func(r Row) uint64 { return r.Bonded })},
	{"unbonding_upin", "stake in its unbonding period", u(func(r Row) uint64 { return r.Unbonding })},
	{"unclaimed_upin", "device rewards minted and not yet claimed", u(func(r Row) uint64 { return r.Unclaimed })},
	{"price_usd", "token price (model)", fl(func(r Row) float64 { return r.PriceUSD })},
	{"providers", "providers at the start of the day, both classes (model)", in(func(r Row) int { return r.Providers })},
	{"serving_providers", "providers where the demand is, who carry it (model)", in(func(r Row) int { return r.ServingProviders })},
	{"joins", "providers joining tonight", in(func(r Row) int { return r.Joins })},
	{"leaves", "providers leaving tonight", in(func(r Row) int { return r.Leaves })},
	{"capacity_units", "service the providers can deliver per day", fl(func(r Row) float64 { return r.Capacity })},
	{"demand_units", "service consumers want at today's price", fl(func(r Row) float64 { return r.Demand })},
	{"served_units", "service bought: credits and lease", fl(func(r Row) float64 { return r.Served })},
	{"revenue_per_provider_usd", "a provider's trailing mean daily revenue (rewards, usage, leases) in USD", fl(func(r Row) float64 { return r.RevenuePerProvider })},
	{"provider_roi", "expected annual return on hardware after running cost, fleet average", fl(func(r Row) float64 { return r.ROI })},
	{"provider_roi_serving", "expected annual return of a serving provider", fl(func(r Row) float64 { return r.ServingROI })},
	{"provider_roi_idle", "expected annual return of a provider that only covers", fl(func(r Row) float64 { return r.IdleROI })},
	{"breakeven_months", "months to recover the hardware cost at that revenue (capped at 240)", fl(func(r Row) float64 { return r.BreakEven })},
	{"staking_ratio", "bonded / supply", fl(func(r Row) float64 { return r.StakingRatio })},
	{"staking_yield", "annual yield of the validators pool on bonded stake", fl(func(r Row) float64 { return r.StakingYield })},
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
