package tokensim

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/stake"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Result is a finished run.
type Result struct {
	Scenario *Scenario
	Rows     []Row
	// Proposals lists the governance proposals the run submitted, with
	// the status the chain gave them.
	Proposals []ProposalOutcome

	node *node // the chain at the end of the run
}

// ProposalOutcome is a proposal of the run and what became of it.
type ProposalOutcome struct {
	Day    int
	Title  string
	ID     uint64
	Status string
}

// runner is one run in progress.
type runner struct {
	s *Scenario
	a actors
	n *node
	m *model

	prior      []reward.Entry             // the last settled manifest's entries
	shareUnits map[uint64][classes]uint64 // each class's units per epoch not yet settled
	leases     map[uint64]leaseSeen
	proposals  []ProposalOutcome
	prev       snapshot
	validators []float64       // trailing validators pool per day, upin
	prevIncome [classes]uint64 // what each class earned yesterday
	checkEvery int
	prevSupply uint64
}

type leaseSeen struct{ paid, take uint64 }

// Progress is told each finished day.
type Progress func(day, days int)

// Options tune a run without changing its results.
type Options struct {
	// Progress, if not nil, is told each finished day.
	Progress Progress
	// CheckEvery runs the chain's module invariants (app.CheckInvariants,
	// a walk over all state) every CheckEvery days and on the last day;
	// 0 means every DefaultCheckEvery days. The simulation's own
	// conservation checks run every day whatever this says.
	CheckEvery int
}

// DefaultCheckEvery is how often a run checks the chain's invariants by
// default: the walk costs what the state holds, which grows with the days.
const DefaultCheckEvery = 30

// Run simulates a scenario. It stops early with ctx's error.
func Run(ctx context.Context, s *Scenario, progress Progress) (*Result, error) {
	return RunWith(ctx, s, Options{Progress: progress})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, s *Scenario, o Options) (*Result, error) {
	if o.CheckEvery <= 0 {
		o.CheckEvery = DefaultCheckEvery
	}
	progress := o.Progress
	r := &runner{s: s, a: newActors(s.Genesis.Validators), m: newModel(s), checkEvery: o.CheckEvery,
		shareUnits: map[uint64][classes]uint64{}, leases: map[uint64]leaseSeen{}}
	n, err := newNode(s, &r.a)
	if err != nil {
		return nil, err
	}
	r.n = n
	r.prev = snapshot{minted: n.genesisSupply}
	r.prevSupply = n.genesisSupply
	res := &Result{Scenario: s, node: n}
	for day := 0; day < s.Days; day++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row, err := r.day(day)
		if err != nil {
			return nil, fmt.Errorf("day %d: %w", day, err)
		}
		res.Rows = append(res.Rows, row)
		if progress != nil {
			progress(day+1, s.Days)
		}
	}
	st := r.n.state()
	for _, p := range r.proposals {
		if gp, ok := gov.GetProposal(st, p.ID); ok {
			p.Status = gp.Status.String()
		}
		res.Proposals = append(res.Proposals, p)
	}
	return res, nil
}

// snapshot is what the end of a day left on chain, for the next day's
// differences.
type snapshot struct {
	minted, burned, reminted, creditBurn uint64
	claimed                              [classes]uint64
}

func (r *runner) snap() snapshot {
	st := r.n.state()
	sup := bank.GetSupply(st)
	t := credit.GetTotals(st)
	return snapshot{minted: sup.Minted, burned: sup.Burned, reminted: t.RemintedUpin, creditBurn: t.BurnedUpin,
		claimed: [classes]uint64{reward.Claimed(st, r.a.devices[serving].addr), reward.Claimed(st, r.a.devices[idle].addr)}}
}

// circulating is the liquid balance of the actors: supply less what is
// bonded, unbonding, locked for the team, in the treasury, unclaimed in
// the reward pool, in escrow or collateral, or waiting in module accounts.
func (r *runner) circulating() uint64 {
	st := r.n.state()
	var c uint64
	for _, a := range r.a.liquid() {
		c += bank.Balance(st, a)
	}
	return c
}

// maxUnits bounds a day's served units so that they convert to integers.
const maxUnits = 1 << 60

// plan turns the model's demand into the day's purchases in chain units.
func (r *runner) plan(day int) (plan, float64, float64, error) {
	st := r.n.state()
	d := r.s.Demand
	creditPrice := params.Get(st, credit.PriceUpin)
	unitUSD := float64(d.CreditsPerUnit) * float64(creditPrice) / upinPerPIN * r.m.price
	want := r.m.demand(day, unitUSD)
	// Only the serving providers carry the demand; the whole fleet's
	// coverage decides how much of it the network reaches.
	served := min(want, r.m.classCapacity(serving))
	var p plan
	if served < 1 {
		return p, want, 0, nil
	}
	served = min(served, maxUnits)
	leaseUnits := uint64(math.Floor(served * d.LeaseShare))
	if leaseUnits > 0 {
		price := tokensFor(d.LeasePriceUSD, r.m.price) / BlocksPerDay
		perBlock, ok1 := ledger.MulDiv(leaseUnits, price, 1)
		dep, ok2 := ledger.MulDiv(perBlock, BlocksPerDay, 1)
		if ok1 && ok2 && price > 0 && dep >= params.Get(st, market.MinDeposit) {
			p.leaseUnits, p.leasePrice, p.leaseDeposit = leaseUnits, price, dep
		}
	}
	p.creditUnits = uint64(math.Floor(served)) - p.leaseUnits
	credits, ok := ledger.MulDiv(p.creditUnits, d.CreditsPerUnit, 1)
	if max := params.Get(st, credit.MaxBuy); !ok || credits > max {
		p.creditUnits = max / d.CreditsPerUnit
		credits = p.creditUnits * d.CreditsPerUnit // at most max
	}
	p.credits = credits
	// The consumers buy the PIN from the holders; what the holders do not
	// have is not bought, credits first.
	avail := r.spendable(r.a.holders) + r.spendable(r.a.consumers)
	avail -= min(avail, feeFloat) // the consumers' fee float comes first
	if p.cost(creditPrice) > avail {
		p.leaseUnits, p.leasePrice, p.leaseDeposit = 0, 0, 0
		if p.cost(creditPrice) > avail {
			p.creditUnits = avail / creditPrice / d.CreditsPerUnit
			p.credits = p.creditUnits * d.CreditsPerUnit
		}
	}
	return p, want, float64(p.creditUnits + p.leaseUnits), nil
}

// day runs one simulated day: the model's morning decisions, the day's
// blocks, and the evening's readings.
func (r *runner) day(day int) (Row, error) {
	s := r.s
	var proposal *Event
	for i := range s.Events {
		e := &s.Events[i]
		if e.Day != day {
			continue
		}
		switch e.Kind {
		case EventDemandShock:
			until := -1
			if e.DurationDays > 0 {
				until = day + e.DurationDays - 1
			}
			r.m.shocks = append(r.m.shocks, shock{mult: e.Multiplier, until: until})
		case EventPriceShock:
			r.m.shockPrice(e.Multiplier)
		case EventProposal:
			proposal = e
		}
	}
	if day > 0 {
		r.m.stepPrice(r.circulating())
	}
	p, want, served, err := r.plan(day)
	if err != nil {
		return Row{}, err
	}
	creditPrice := params.Get(r.n.state(), credit.PriceUpin)
	start := r.n.height() + 1

	// Block 1: settle yesterday, claim, unlocks, sales, funding.
	var b1 []tx
	if day == 0 {
		b1 = append(b1, r.onboard()...)
	} else {
		txs, err := r.settle(uint64(day - 1))
		if err != nil {
			return Row{}, err
		}
		b1 = append(b1, txs...)
	}
	if amt := r.unlock(day); amt > 0 {
		b1 = append(b1, r.send("team unlock", r.a.team, r.a.holders.addr, amt))
	}
	for c := 0; c < classes; c++ {
		if amt := min(uint64(float64(r.prevIncome[c])*s.Providers.SellShare), r.spendable(r.a.owners[c])); amt > 0 {
			b1 = append(b1, r.send("providers sell", r.a.owners[c], r.a.holders.addr, amt))
		}
	}
	// The consumers buy what they need from the holders, and what keeps
	// their fee float whole.
	if need, have := p.cost(creditPrice)+feeFloat, bank.Balance(r.n.state(), r.a.consumers.addr); need > have {
		b1 = append(b1, r.send("consumers buy PIN", r.a.holders, r.a.consumers.addr, need-have))
	}
	res1, err := r.n.block(b1...)
	if err != nil {
		return Row{}, err
	}

	// Block 2: credits, the lease order, a proposal, staking.
	b2 := r.buy(p)
	if proposal != nil {
		b2 = append(b2, r.propose(*proposal))
	}
	stakeDay := day%s.Staking.EveryDays == 0
	yield := r.stakingYield()
	if stakeDay {
		b2 = append(b2, r.rebalance(r.m.stakingTarget(yield))...)
	}
	res2, err := r.n.block(b2...)
	if err != nil {
		return Row{}, err
	}

	// Block 3: bid, receipts, votes.
	b3 := r.serve(day, p, start)
	if proposal != nil {
		id, ok := proposalID(res2)
		if !ok {
			return Row{}, fmt.Errorf("proposal %q: no proposal id in the block's events", proposal.Title)
		}
		r.proposals = append(r.proposals, ProposalOutcome{Day: day, Title: proposal.Title, ID: id})
		b3 = append(b3, r.vote(id)...)
	}
	if _, err := r.n.block(b3...); err != nil {
		return Row{}, err
	}
	// Block 4: accept; then the rest of the day's blocks.
	res4, err := r.n.block(r.accept()...)
	if err != nil {
		return Row{}, err
	}
	for _, v := range eventValues(res4, "market.lease", "lease") {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return Row{}, fmt.Errorf("lease event: %w", err)
		}
		r.leases[id] = leaseSeen{}
	}
	for r.n.height() < start+BlocksPerDay-1 {
		if _, err := r.n.block(); err != nil {
			return Row{}, err
		}
	}
	// Today's capacity of each class becomes its device's share of
	// today's epoch.
	r.shareUnits[uint64(day)] = [classes]uint64{uint64(r.m.classCapacity(serving)), uint64(r.m.classCapacity(idle))}
	return r.evening(day, p, want, served, yield, res1)
}

// unlock is the team's unlock for day: linear from the cliff.
func (r *runner) unlock(day int) uint64 {
	g := r.s.Genesis
	if g.Team == 0 || day < g.TeamCliffDays {
		return 0
	}
	left := r.spendable(r.a.team)
	if g.TeamUnlockDays <= 0 || day >= g.TeamCliffDays+g.TeamUnlockDays-1 {
		return left
	}
	return min(left, g.Team*upinPerPIN/uint64(g.TeamUnlockDays))
}

// stakingYield is the annual yield of bonded stake from the trailing
// validators pool.
func (r *runner) stakingYield() float64 {
	bonded := bank.Balance(r.n.state(), stake.BondedPool)
	if bonded == 0 {
		return 0
	}
	return mean(r.validators) * 365 / float64(bonded)
}

// leaseFlows sums what the consumers' leases paid the provider and the
// treasury since the last call, and forgets closed leases.
func (r *runner) leaseFlows() (paid, take uint64) {
	st := r.n.state()
	for id, seen := range r.leases {
		l, ok := market.GetLease(st, id)
		if !ok {
			continue
		}
		paid += l.Paid - seen.paid
		take += l.Take - seen.take
		if l.State == marketv1.LeaseState_LEASE_STATE_CLOSED {
			delete(r.leases, id)
		} else {
			r.leases[id] = leaseSeen{paid: l.Paid, take: l.Take}
		}
	}
	return paid, take
}

// eventValues returns attribute key of every event of type typ in a
// block's transactions.
func eventValues(res *app.BlockResult, typ, key string) []string {
	var out []string
	for _, t := range res.Txs {
		for _, ev := range t.Events {
			if ev.Type != typ {
				continue
			}
			for _, a := range ev.Attrs {
				if a.Key == key {
					out = append(out, a.Value)
				}
			}
		}
	}
	return out
}

// usagePaid is what the settlement in res paid the providers from the
// usage pool.
func usagePaid(res *app.BlockResult, prov ledger.Address) uint64 {
	var sum uint64
	for _, t := range res.Txs {
		for _, ev := range t.Events {
			if ev.Type != "market.usage_paid" {
				continue
			}
			var to string
			var amt uint64
			for _, a := range ev.Attrs {
				switch a.Key {
				case "provider":
					to = a.Value
				case "amount":
					fmt.Sscan(a.Value, &amt)
				}
			}
			if to == prov.String() {
				sum += amt
			}
		}
	}
	return sum
}

// Querier answers queries over the chain as the run left it, as a node's
// abci_query does: a simulated network to point FromQuerier or a service
// at.
func (res *Result) Querier() Querier { return appQuerier{res.node.app} }

type appQuerier struct{ a *app.App }

func (q appQuerier) Query(_ context.Context, path string, out any) error {
	body, code, msg := query.Handle(q.a.Committed(), q.a, path)
	if code != 0 {
		return fmt.Errorf("query %s: %s", path, msg)
	}
	return json.Unmarshal(body, out)
}
