package tokensim

import (
	"fmt"
	"math"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/stake"
)

// Row is one simulated day. Chain amounts are upin, read from chain state
// at the end of the day; model values are float64.
type Row struct {
	Day int

	// Supply is the total supply; Circulating the liquid part (see
	// runner.circulating).
	Supply, Circulating uint64
	// Minted and Burned are today's changes of the bank's totals; today's
	// mint is the settlement of yesterday's epoch.
	Minted, Burned uint64
	// Emission is today's epoch emission as the reward module recorded
	// it, Scheduled its part from the emission schedule and Reminted the
	// part re-minted from today's credit burn.
	Emission, Scheduled, Reminted uint64
	// CreditBurn is the PIN burned for credits today.
	CreditBurn uint64
	// Where yesterday's epoch went at today's settlement.
	DeviceRewards, UsageRewards, ValidatorsPool, OraclesPaid, TreasuryIn uint64
	// LeasePaid went from escrow to the provider today, LeaseTake to the
	// treasury.
	LeasePaid, LeaseTake uint64
	// Balances at the end of the day.
	Treasury, Bonded, Unbonding, Unclaimed uint64

	PriceUSD                 float64
	Providers, Joins, Leaves int
	// ServingProviders of Providers carry the demand (ProviderModel).
	ServingProviders int
	// ServingROI and IdleROI are each class's expected annual return.
	ServingROI, IdleROI                float64
	Capacity, Demand, Served           float64
	RevenuePerProvider, ROI, BreakEven float64 // USD/day, annual, months
	StakingRatio, StakingYield         float64
}

// NetEmission is minted less burned (negative when the burn wins).
func (r Row) NetEmission() int64 { return int64(r.Minted) - int64(r.Burned) }

// evening reads the chain after the day's last block, checks conservation
// and the chain's invariants, and lets the providers decide.
func (r *runner) evening(day int, p plan, want, served, yield float64, res1 *app.BlockResult) (Row, error) {
	st := r.n.state()
	if day%r.checkEvery == 0 || day == r.s.Days-1 {
		if err := r.n.app.CheckInvariants(st); err != nil {
			return Row{}, fmt.Errorf("chain invariant: %w", err)
		}
	}
	now := r.snap()
	sup := bank.GetSupply(st)
	row := Row{Day: day, Supply: sup.Total, Circulating: r.circulating(),
		Minted: now.minted - r.prev.minted, Burned: now.burned - r.prev.burned,
		Reminted: now.reminted - r.prev.reminted, CreditBurn: now.creditBurn - r.prev.creditBurn,
		Treasury: bank.Balance(st, reward.Treasury), Bonded: bank.Balance(st, stake.BondedPool),
		Unbonding: bank.Balance(st, stake.UnbondingPool), Unclaimed: bank.Balance(st, reward.RewardPool),
		PriceUSD: r.m.price, Capacity: r.m.capacity(), Demand: want, Served: served, StakingYield: yield}
	ep, ok := reward.GetEpoch(st, uint64(day))
	if !ok || !ep.Ended {
		return Row{}, fmt.Errorf("epoch %d did not end with the day", day)
	}
	row.Emission = ep.Emission
	row.Scheduled = ep.Emission - row.Reminted
	if day > 0 {
		if err := r.settled(&row, uint64(day-1)); err != nil {
			return Row{}, err
		}
	}
	// Conservation: everything minted today is yesterday's settled
	// emission, and the supply moved by exactly minted − burned.
	if day > 0 {
		prevEp, _ := reward.GetEpoch(st, uint64(day-1))
		if row.Minted != prevEp.Emission {
			return Row{}, fmt.Errorf("minted %d upin, epoch %d's emission is %d", row.Minted, day-1, prevEp.Emission)
		}
	} else if row.Minted != 0 {
		return Row{}, fmt.Errorf("minted %d upin before any epoch settled", row.Minted)
	}
	if want := r.prevSupply + row.Minted - row.Burned; sup.Total != want {
		return Row{}, fmt.Errorf("supply %d, want %d + %d − %d", sup.Total, r.prevSupply, row.Minted, row.Burned)
	}
	if sum, err := bank.SumBalances(st); err != nil || sum != sup.Total {
		return Row{}, fmt.Errorf("balances sum to %d (%v), supply is %d", sum, err, sup.Total)
	}
	var income [classes]uint64
	for c := 0; c < classes; c++ {
		income[c] = now.claimed[c] - r.prev.claimed[c]
		row.DeviceRewards += income[c]
	}
	row.UsageRewards = usagePaid(res1, r.a.owners[serving].addr)
	row.LeasePaid, row.LeaseTake = r.leaseFlows()
	income[serving] += row.UsageRewards + row.LeasePaid
	if row.Supply > 0 {
		row.StakingRatio = float64(row.Bonded) / float64(row.Supply)
	}
	creditPrice := params.Get(st, credit.PriceUpin)
	usageUSD := usdOf(p.credits*creditPrice+p.leaseDeposit, r.m.price)
	row.Providers, row.ServingProviders = r.m.total(), r.m.providers[serving]
	if day > 0 {
		// Day 0's epoch settles tomorrow: nobody has earned anything yet,
		// so nobody decides on it.
		r.m.record([classes]float64{usdOf(income[serving], r.m.price), usdOf(income[idle], r.m.price)}, usageUSD)
		e := r.m.economics(-1)
		row.RevenuePerProvider, row.ROI, row.BreakEven = e.revenuePerDay, e.roi, math.Min(e.breakEven, maxBreakEven)
		row.ServingROI, row.IdleROI = r.m.economics(serving).roi, r.m.economics(idle).roi
		row.Joins, row.Leaves = r.m.stepProviders()
	} else {
		row.BreakEven = maxBreakEven
	}
	r.validators = push(r.validators, float64(row.ValidatorsPool), r.s.Providers.LookbackDays)
	r.prevIncome = income
	r.prevSupply = sup.Total
	r.prev = now
	return row, nil
}

// maxBreakEven caps the break-even time in the output (months): a provider
// that never breaks even is shown at the cap.
const maxBreakEven = 240

// settled fills in where epoch e's emission went.
func (r *runner) settled(row *Row, e uint64) error {
	st := r.n.state()
	s, ok := reward.GetSettlement(st, e)
	if !ok {
		return fmt.Errorf("epoch %d is not settled", e)
	}
	ep, _ := reward.GetEpoch(st, e)
	pools := reward.PoolsFromProto(ep.Pools)
	for _, f := range s.Forwarded {
		for _, p := range pools {
			if p.Name == f.Name && p.Recipient == reward.RecipientValidators {
				row.ValidatorsPool += f.Paid
			}
		}
	}
	for _, o := range s.Oracles {
		row.OraclesPaid += o.Amount
	}
	row.TreasuryIn = s.Treasury
	return nil
}
