package chain_test

import (
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/stake"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// stakeMessage encodes the staking and governance messages of a tx
// command: stake/create-validator amount= commission= max= (the consensus
// key is consKeyFor(pubkey=, default the signer given as key=)),
// stake/delegate|undelegate validator= amount=, stake/redelegate src= dst=
// amount=, stake/withdraw-rewards [validator=], stake/unjail,
// gov/submit-proposal title= deposit= [set=name:value] [spend=to:amount],
// gov/deposit proposal= amount=, gov/vote proposal= option=,
// gov/treasury-spend to= amount=.
func (s *scenario) stakeMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case stake.TypeCreateValidator:
		return mustMarshal(&stakev1.MsgCreateValidator{PubKey: consKeyFor(a.take("key")), Amount: a.optU64("amount", 0),
			CommissionBps: uint32(a.optU64("commission", 0)), MaxCommissionBps: uint32(a.optU64("max", 2000)), MaxChangeBps: 100}), true
	case stake.TypeDelegate:
		return mustMarshal(&stakev1.MsgDelegate{Validator: s.addrBytes(a.take("validator")), Amount: a.optU64("amount", 0)}), true
	case stake.TypeUndelegate:
		return mustMarshal(&stakev1.MsgUndelegate{Validator: s.addrBytes(a.take("validator")), Amount: a.optU64("amount", 0)}), true
	case stake.TypeRedelegate:
		return mustMarshal(&stakev1.MsgRedelegate{Src: s.addrBytes(a.take("src")), Dst: s.addrBytes(a.take("dst")), Amount: a.optU64("amount", 0)}), true
	case stake.TypeWithdrawRewards:
		m := &stakev1.MsgWithdrawRewards{}
		if a.has("validator") {
			m.Validator = s.addrBytes(a.take("validator"))
		}
		return mustMarshal(m), true
	case stake.TypeUnjail:
		return mustMarshal(&stakev1.MsgUnjail{}), true
	case gov.TypeSubmitProposal:
		m := &govv1.MsgSubmitProposal{Title: a.opt("title", "t"), Deposit: a.optU64("deposit", 0)}
		for _, kv := range a.list("set") {
			n, v := splitPair(s.t, kv)
			m.Actions = append(m.Actions, &govv1.Action{Type: params.TypeSet,
				Value: mustMarshal(&paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: n, Value: parseU64(s.t, v)}}})})
		}
		for _, kv := range a.list("spend") {
			to, amt := splitPair(s.t, kv)
			m.Actions = append(m.Actions, &govv1.Action{Type: gov.TypeTreasurySpend,
				Value: mustMarshal(&govv1.MsgTreasurySpend{To: s.addrBytes(to), Amount: parseU64(s.t, amt)})})
		}
		return mustMarshal(m), true
	case gov.TypeDeposit:
		return mustMarshal(&govv1.MsgDeposit{Proposal: a.optU64("proposal", 0), Amount: a.optU64("amount", 0)}), true
	case gov.TypeVote:
		o, ok := gov.ParseOption(a.opt("option", "yes"))
		if !ok {
			o = govv1.VoteOption(parseU64(s.t, a.opt("option", "0")))
		}
		return mustMarshal(&govv1.MsgVote{Proposal: a.optU64("proposal", 0), Option: o}), true
	case gov.TypeTreasurySpend:
		return mustMarshal(&govv1.MsgTreasurySpend{To: s.addrBytes(a.take("to")), Amount: a.optU64("amount", 0)}), true
	}
	return nil, false
}
