package main

import (
	"encoding/json"
	"maps"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/stake"
)

// devSelfBond is each dev validator's self-bond: 10,000 PIN, a voting
// power of 10,000.
const devSelfBond = 10_000_000_000

// devStakeOptions makes the given funded accounts the operators of the
// validators, in order, at 5% commission.
func devStakeOptions(ops []app.GenesisBalance) *node.StakeOptions {
	o := &node.StakeOptions{SelfBond: devSelfBond, CommissionBps: 500, MaxCommissionBps: 2_000, MaxChangeBps: 100}
	for _, b := range ops {
		o.Operators = append(o.Operators, b.Address)
	}
	return o
}

// withGovAuthority adds the "gov" genesis section that makes the
// governance module the params authority.
func withGovAuthority(mods map[string]json.RawMessage) map[string]json.RawMessage {
	out := maps.Clone(mods)
	if out == nil {
		out = make(map[string]json.RawMessage)
	}
	b, _ := json.Marshal(chain.GovGenesis{Authority: true}) // a plain struct always marshals
	out["gov"] = b
	return out
}

// devGovParams shortens governance and staking for a dev network: a
// proposal's deposit and voting periods last a minute, so one passes in
// about a minute, and unbonding takes five minutes.
func devGovParams(p map[string]uint64) map[string]uint64 {
	out := maps.Clone(p)
	if out == nil {
		out = make(map[string]uint64)
	}
	out[gov.VotingSeconds.Name] = 60
	out[gov.DepositSeconds.Name] = 60
	out[stake.UnbondingSeconds.Name] = 300
	out[stake.DowntimeJailSeconds.Name] = 60
	return out
}
