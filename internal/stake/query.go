package stake

import (
	"encoding/hex"
	"fmt"
	"math"

	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// ValidatorView is a validator as queries show it.
type ValidatorView struct {
	Operator         string `json:"operator"`
	ConsensusPubKey  string `json:"consensus_pub_key"`
	ConsensusAddress string `json:"consensus_address"`
	Moniker          string `json:"moniker,omitempty"`
	// Status is "bonded" (in the active set), "jailed", "tombstoned" or
	// "unbonded".
	Status           string `json:"status"`
	Power            uint64 `json:"power,string"`
	Tokens           uint64 `json:"tokens,string"`
	Shares           uint64 `json:"shares,string"`
	SelfBond         uint64 `json:"self_bond,string"`
	CommissionBps    uint32 `json:"commission_bps"`
	MaxCommissionBps uint32 `json:"max_commission_bps"`
	MaxChangeBps     uint32 `json:"max_change_bps"`
	Commission       uint64 `json:"commission,string"`
	Outstanding      uint64 `json:"outstanding_rewards,string"`
	Jailed           bool   `json:"jailed"`
	JailedUntil      int64  `json:"jailed_until,omitempty,string"`
	Tombstoned       bool   `json:"tombstoned"`
	Missed           uint64 `json:"missed_in_window,string"`
	CreatedHeight    int64  `json:"created_height,string"`
}

// View renders a validator.
func View(st ledger.Store, v *stakev1.Validator) ValidatorView {
	op := operatorOf(v)
	ca := ConsAddress(v.PubKey)
	power, bonded := Bonded(st, op)
	status := "unbonded"
	switch {
	case v.Tombstoned:
		status = "tombstoned"
	case v.Jailed:
		status = "jailed"
	case bonded:
		status = "bonded"
	}
	until := v.JailedUntil
	if until == math.MaxInt64 || !v.Jailed {
		until = 0
	}
	return ValidatorView{
		Operator: op.String(), ConsensusPubKey: hex.EncodeToString(v.PubKey), ConsensusAddress: fmt.Sprintf("%X", ca[:]),
		Moniker: v.Moniker, Status: status, Power: power, Tokens: v.Tokens, Shares: v.Shares, SelfBond: SelfBond(st, v),
		CommissionBps: v.CommissionBps, MaxCommissionBps: v.MaxCommissionBps, MaxChangeBps: v.MaxChangeBps,
		Commission: v.Commission, Outstanding: v.Outstanding, Jailed: v.Jailed, JailedUntil: until,
		Tombstoned: v.Tombstoned, Missed: v.Missed, CreatedHeight: v.CreatedHeight,
	}
}

// ValidatorsView lists validators, bonded ones first by power, then the
// rest by operator.
type ValidatorsView struct {
	Validators  []ValidatorView `json:"validators"`
	BondedPower uint64          `json:"bonded_power,string"`
}

// QueryValidators lists every validator: the active set first, by power
// then operator, then the others by operator.
func QueryValidators(st ledger.Store) ValidatorsView {
	out := ValidatorsView{Validators: []ValidatorView{}}
	var rest []ValidatorView
	for _, v := range Validators(st) {
		vv := View(st, v)
		if vv.Status == "bonded" {
			out.Validators = append(out.Validators, vv)
			out.BondedPower += vv.Power
		} else {
			rest = append(rest, vv)
		}
	}
	bonded := out.Validators
	for i := 1; i < len(bonded); i++ { // insertion sort: stable, by power descending
		for j := i; j > 0 && bonded[j].Power > bonded[j-1].Power; j-- {
			bonded[j], bonded[j-1] = bonded[j-1], bonded[j]
		}
	}
	out.Validators = append(bonded, rest...)
	return out
}

// DelegationView is one delegation with what it is worth.
type DelegationView struct {
	Validator string `json:"validator"`
	Shares    uint64 `json:"shares,string"`
	Tokens    uint64 `json:"tokens,string"`
	Rewards   uint64 `json:"pending_rewards,string"`
}

// UnbondingView is one unbonding entry.
type UnbondingView struct {
	ID             uint64 `json:"id,string"`
	Validator      string `json:"validator"`
	CreationHeight int64  `json:"creation_height,string"`
	CompletionTime int64  `json:"completion_time,string"`
	Initial        uint64 `json:"initial,string"`
	Balance        uint64 `json:"balance,string"`
}

// DelegationsView is everything a delegator has staked.
type DelegationsView struct {
	Delegator   string           `json:"delegator"`
	Delegations []DelegationView `json:"delegations"`
	Unbonding   []UnbondingView  `json:"unbonding"`
	Total       uint64           `json:"total_tokens,string"`
}

// QueryDelegations lists a delegator's delegations and unbonding entries.
func QueryDelegations(st ledger.Store, del ledger.Address) DelegationsView {
	out := DelegationsView{Delegator: del.String(), Delegations: []DelegationView{}, Unbonding: []UnbondingView{}}
	for _, e := range DelegationsOf(st, del) {
		v, ok := GetValidator(st, e.Validator)
		if !ok {
			continue
		}
		t := TokensOf(v, e.Delegation.Shares)
		out.Total += t
		out.Delegations = append(out.Delegations, DelegationView{Validator: e.Validator.String(), Shares: e.Delegation.Shares,
			Tokens: t, Rewards: pendingReward(v, e.Delegation)})
	}
	for _, u := range UnbondingsOf(st, del) {
		val, _ := ledger.AddressFromBytes(u.Validator)
		out.Unbonding = append(out.Unbonding, UnbondingView{ID: u.Id, Validator: val.String(), CreationHeight: u.CreationHeight,
			CompletionTime: u.CompletionTime, Initial: u.Initial, Balance: u.Balance})
	}
	return out
}

// RewardsView is what a delegator (and operator) could withdraw now.
type RewardsView struct {
	Delegator  string           `json:"delegator"`
	Rewards    []DelegationView `json:"rewards"`
	Commission uint64           `json:"commission,string"`
	Total      uint64           `json:"total,string"`
}

// QueryRewards lists a delegator's pending rewards and, for an operator,
// its commission.
func QueryRewards(st ledger.Store, del ledger.Address) RewardsView {
	d := QueryDelegations(st, del)
	out := RewardsView{Delegator: d.Delegator, Rewards: d.Delegations}
	for _, r := range d.Delegations {
		out.Total += r.Rewards
	}
	if v, ok := GetValidator(st, del); ok {
		out.Commission = v.Commission
		out.Total += v.Commission
	}
	return out
}

// Queries registers the staking module's read-only queries:
//
//	stake/validators              every validator, the active set first
//	stake/validators/{operator}   one validator
//	stake/delegations/{address}   a delegator's delegations and unbonding entries
//	stake/rewards/{address}       what a delegator (and operator) can withdraw
func Queries(rt *ledger.QueryRouter) {
	rt.Add("stake/validators", func(q *ledger.Query) (any, *ledger.QueryError) { return QueryValidators(q.Store), nil })
	rt.Add("stake/validators/{operator}", func(q *ledger.Query) (any, *ledger.QueryError) {
		a, e := parseAddr(q.Vars[0])
		if e != nil {
			return nil, e
		}
		v, ok := GetValidator(q.Store, a)
		if !ok {
			return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no validator %s", a)
		}
		return View(q.Store, v), nil
	})
	rt.Add("stake/delegations/{address}", func(q *ledger.Query) (any, *ledger.QueryError) {
		a, e := parseAddr(q.Vars[0])
		if e != nil {
			return nil, e
		}
		return QueryDelegations(q.Store, a), nil
	})
	rt.Add("stake/rewards/{address}", func(q *ledger.Query) (any, *ledger.QueryError) {
		a, e := parseAddr(q.Vars[0])
		if e != nil {
			return nil, e
		}
		return QueryRewards(q.Store, a), nil
	})
}

func parseAddr(s string) (ledger.Address, *ledger.QueryError) {
	a, err := ledger.ParseAddress(s)
	if err != nil {
		return a, ledger.QueryErrorf(ledger.QueryBadRequest, "address %q: %v", s, err)
	}
	return a, nil
}
