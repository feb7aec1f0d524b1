package tokensim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/stake"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// The chain side of a day: the transactions the actors send, built from
// committed state. Each function returns transactions for one block.

// onboard registers each provider class's device with its owner, and the
// serving providers as a market provider.
func (r *runner) onboard() []tx {
	var txs []tx
	for c := 0; c < classes; c++ {
		typ, val := device.Onboard(r.a.maker.key, r.a.devices[c].key, fleetKind, fmt.Sprintf("FLEET-%d", c+1), chainID, r.a.owners[c].addr)
		txs = append(txs, r.n.sign("onboard fleet device", r.a.owners[c], msg{typ: typ, val: val}))
	}
	return append(txs, r.n.sign("create provider", r.a.owners[serving], encode(market.TypeCreateProvider,
		&marketv1.MsgCreateProvider{HostUri: "https://fleet.tokensim.invalid"})))
}

// settle has the oracle settle epoch e with the reward engine over the
// epoch record the chain wrote (its emission with the re-mint, its pools
// after the bootstrapping shift) and the fleet's share, then claims the
// fleet's rewards with a Merkle proof of the new manifest.
func (r *runner) settle(e uint64) ([]tx, error) {
	st := r.n.state()
	ep, ok := reward.GetEpoch(st, e)
	if !ok || !ep.Ended {
		return nil, fmt.Errorf("tokensim: epoch %d has not ended at height %d", e, r.n.height())
	}
	pools := reward.PoolsFromProto(ep.Pools)
	var shares []reward.Share
	for c, units := range r.shareUnits[e] {
		if units == 0 {
			continue
		}
		for _, p := range pools {
			if p.PaysDevices() && p.Kind == fleetKind {
				shares = append(shares, reward.Share{Device: r.a.devices[c].addr, Pool: p.Name, Units: units})
			}
		}
	}
	delete(r.shareUnits, e)
	out, err := reward.Compute(reward.Input{Epoch: e, ScorerVersion: 1, Emission: ep.Emission, Pools: pools,
		Shares: shares, Prior: r.prior})
	if err != nil {
		return nil, fmt.Errorf("tokensim: reward engine, epoch %d: %w", e, err)
	}
	r.prior = out.Manifest.Entries
	h := sha256.New()
	binary.Write(h, binary.BigEndian, e)
	for _, s := range shares {
		h.Write(s.Device[:])
		binary.Write(h, binary.BigEndian, s.Units)
	}
	// The aggregate fleet runs no scorer: no kind leaves state for the
	// next epoch, and the state hash commits to that.
	state := sha256.Sum256(score.EncodeStates(nil))
	m := &rewardv1.MsgSubmitRoot{Epoch: e, Root: out.Root[:], ScorerVersion: 1, InputsHash: h.Sum(nil), StateHash: state[:]}
	for _, p := range out.Pools {
		if p.Recipient == reward.RecipientDevices {
			m.Pools = append(m.Pools, &rewardv1.PoolPaid{Name: p.Name, Paid: p.Paid})
			m.DeviceTotal += p.Paid
		}
	}
	txs := []tx{r.n.sign(fmt.Sprintf("submit root of epoch %d", e), r.a.oracle, encode(reward.TypeSubmitRoot, m))}
	for c := 0; c < classes; c++ {
		dev := r.a.devices[c].addr
		i, found := out.Manifest.Find(dev)
		if !found {
			continue
		}
		cum := out.Manifest.Entries[i].Cumulative
		if cum <= reward.Claimed(st, dev) {
			continue
		}
		p, _ := out.Manifest.Proof(dev)
		cl := &rewardv1.MsgClaim{Device: dev[:], Cumulative: cum, Index: p.Index, Size: p.Size}
		for _, x := range p.Path {
			cl.Path = append(cl.Path, x[:])
		}
		txs = append(txs, r.n.sign("claim fleet rewards", r.a.owners[c], encode(reward.TypeClaim, cl)))
	}
	return txs, nil
}

// send moves amount from one actor to another.
func (r *runner) send(what string, from actor, to ledger.Address, amount uint64) tx {
	return r.n.sign(what, from, encode(bank.TypeSend, &bankv1.MsgSend{To: to[:], Amount: amount}))
}

// spendable is what an actor may move, keeping its fee float.
func (r *runner) spendable(a actor) uint64 {
	b := bank.Balance(r.n.state(), a.addr)
	if b <= feeFloat {
		return 0
	}
	return b - feeFloat
}

// plan is what the consumers buy in a day, in chain units.
type plan struct {
	credits      uint64 // credits bought and spent
	creditUnits  uint64 // units served with them
	leaseUnits   uint64 // units served by lease (the lease's quantity)
	leasePrice   uint64 // upin per unit per block
	leaseDeposit uint64
}

// cost is the PIN the plan burns and deposits, or math.MaxUint64 if that
// does not fit (more than anyone holds).
func (p plan) cost(creditPrice uint64) uint64 {
	burn, ok := ledger.MulDiv(p.credits, creditPrice, 1)
	if !ok {
		return math.MaxUint64
	}
	c, ok := ledger.Add(burn, p.leaseDeposit)
	if !ok {
		return math.MaxUint64
	}
	return c
}

// buy has the consumers burn PIN for the day's credits and order the
// day's lease.
func (r *runner) buy(p plan) []tx {
	var txs []tx
	if p.credits > 0 {
		txs = append(txs, r.n.sign("buy credits", r.a.consumers, encode("credits/buy", &creditv1.MsgBuy{Credits: p.credits})))
	}
	if p.leaseDeposit > 0 {
		txs = append(txs, r.n.sign("create order", r.a.consumers, encode(market.TypeCreateOrder, &marketv1.MsgCreateOrder{
			Kind: fleetKind, Quantity: p.leaseUnits, MaxPrice: p.leasePrice, Duration: BlocksPerDay, Deposit: p.leaseDeposit})))
	}
	return txs
}

// openOrder is the consumers' open order, if any.
func (r *runner) openOrder() (*marketv1.Order, bool) {
	owner := r.a.consumers.addr
	os, _ := market.ListOrders(r.n.state(), market.OrderFilter{Owner: &owner, State: marketv1.OrderState_ORDER_STATE_OPEN}, market.Page{Limit: 1})
	if len(os) == 0 {
		return nil, false
	}
	return os[0], true
}

// serve has the providers bid on the open order and submit the
// consumers' signed receipt for the credits spent today.
func (r *runner) serve(day int, p plan, from int64) []tx {
	var txs []tx
	if o, ok := r.openOrder(); ok {
		txs = append(txs, r.n.sign("bid", r.a.owners[serving], encode(market.TypeBid, &marketv1.MsgBid{
			Order: o.Id, Price: o.MaxPrice, Collateral: params.Get(r.n.state(), market.MinCollateral)})))
	}
	if p.credits > 0 {
		rc := &marketv1.Receipt{ChainId: chainID, Payer: r.a.consumers.addr[:], Provider: r.a.owners[serving].addr[:],
			Kind: fleetKind, PeriodStart: from, PeriodEnd: r.n.height(), Units: p.creditUnits, Credits: p.credits,
			Nonce: uint64(day) + 1}
		txs = append(txs, r.n.sign("submit receipts", r.a.owners[serving], encode(market.TypeSubmitReceipts,
			&marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{market.SignReceipt(r.a.consumers.key, rc)}})))
	}
	return txs
}

// accept starts the lease of the consumers' open order.
func (r *runner) accept() []tx {
	o, ok := r.openOrder()
	if !ok {
		return nil
	}
	return []tx{r.n.sign("accept bid", r.a.consumers, encode(market.TypeAccept,
		&marketv1.MsgAccept{Order: o.Id, Provider: r.a.owners[serving].addr[:]}))}
}

// propose submits a governance proposal from the holders with the full
// minimum deposit, so voting starts at once.
func (r *runner) propose(e Event) tx {
	st := r.n.state()
	var actions []*govv1.Action
	if len(e.Params) > 0 {
		m := &paramsv1.MsgSetParams{}
		for _, name := range sortedParams(e.Params) {
			m.Changes = append(m.Changes, &paramsv1.Change{Name: name, Value: e.Params[name]})
		}
		a := encode(params.TypeSet, m)
		actions = append(actions, &govv1.Action{Type: a.typ, Value: a.val})
	}
	if len(e.Pools) > 0 {
		m := &rewardv1.MsgSetPools{}
		for _, p := range e.Pools {
			rc, _ := reward.ParseRecipient(p.Recipient)
			m.Pools = append(m.Pools, &rewardv1.Pool{Name: p.Name, Bps: p.Bps, Recipient: rewardv1.Recipient(rc), Kind: p.Kind})
		}
		a := encode(reward.TypeSetPools, m)
		actions = append(actions, &govv1.Action{Type: a.typ, Value: a.val})
	}
	title := e.Title
	if title == "" {
		title = "tokensim proposal"
	}
	return r.n.sign("submit proposal "+strconv.Quote(title), r.a.holders, encode(gov.TypeSubmitProposal, &govv1.MsgSubmitProposal{
		Title: title, Summary: "scenario event", Actions: actions, Deposit: params.Get(st, gov.MinDeposit)}))
}

// proposalID finds the id in a block's gov.submit event.
func proposalID(res *app.BlockResult) (uint64, bool) {
	for _, t := range res.Txs {
		for _, ev := range t.Events {
			if ev.Type != "gov.submit" {
				continue
			}
			for _, a := range ev.Attrs {
				if a.Key == "proposal" {
					id, err := strconv.ParseUint(a.Value, 10, 64)
					return id, err == nil
				}
			}
		}
	}
	return 0, false
}

// vote has every validator vote yes.
func (r *runner) vote(id uint64) []tx {
	var txs []tx
	for _, v := range r.a.validators {
		txs = append(txs, r.n.sign("vote", v, encode(gov.TypeVote, &govv1.MsgVote{Proposal: id, Option: govv1.VoteOption_VOTE_OPTION_YES})))
	}
	return txs
}

// rebalance has the holders withdraw their staking rewards and move their
// stake toward the ratio of the supply they aim for, spread evenly over
// the validators. Changes under a thousandth of the supply are skipped.
func (r *runner) rebalance(target float64) []tx {
	st := r.n.state()
	var txs []tx
	holders := r.a.holders
	dels := map[ledger.Address]uint64{}
	for _, d := range stake.DelegationsOf(st, holders.addr) {
		v, ok := stake.GetValidator(st, d.Validator)
		if !ok {
			continue
		}
		dels[d.Validator] = stake.TokensOf(v, d.Delegation.Shares)
		if stake.PendingRewards(st, holders.addr, d.Validator) > 0 {
			txs = append(txs, r.n.sign("withdraw staking rewards", holders, encode(stake.TypeWithdrawRewards,
				&stakev1.MsgWithdrawRewards{Validator: d.Validator[:]})))
		}
	}
	supply := bank.GetSupply(st).Total
	bonded := bank.Balance(st, stake.BondedPool)
	want := uint64(float64(supply) * target)
	step := supply / 1000
	nv := uint64(len(r.a.validators))
	switch {
	case want > bonded+step:
		amt := min(want-bonded, r.spendable(holders)) / nv
		if amt == 0 {
			break
		}
		for _, v := range r.a.validators {
			txs = append(txs, r.n.sign("delegate", holders, encode(stake.TypeDelegate,
				&stakev1.MsgDelegate{Validator: v.addr[:], Amount: amt})))
		}
	case bonded > want+step:
		each := (bonded - want) / nv
		maxEntries := params.Get(st, stake.MaxEntries)
		for _, v := range r.a.validators {
			amt := min(each, dels[v.addr])
			if amt == 0 || stake.UnbondingsFrom(st, holders.addr, v.addr) >= maxEntries {
				continue
			}
			txs = append(txs, r.n.sign("undelegate", holders, encode(stake.TypeUndelegate,
				&stakev1.MsgUndelegate{Validator: v.addr[:], Amount: amt})))
		}
	}
	return txs
}
