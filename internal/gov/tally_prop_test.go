package gov

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/stake"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// naiveTally recounts by walking every delegation of every account: each
// delegation votes its delegator's choice, or else its validator's
// operator's, grouped per validator and option before rounding down.
func naiveTally(st ledger.Store, id uint64, accounts []ledger.Address) *govv1.Tally {
	votes := make(map[ledger.Address]govv1.VoteOption)
	for _, v := range Votes(st, id) {
		votes[v.Voter] = v.Option
	}
	t := &govv1.Tally{}
	for _, m := range stake.ActiveSet(st) {
		op, _ := ledger.AddressFromBytes(m.Operator)
		v, _ := stake.GetValidator(st, op)
		t.Bonded += v.Tokens
		var per [5]uint64
		for _, a := range accounts {
			d, ok := stake.GetDelegation(st, a, op)
			if !ok {
				continue
			}
			o, voted := votes[a]
			if !voted {
				o = votes[op]
			}
			per[o] += d.Shares
		}
		for o, s := range per {
			p, _ := ledger.MulDiv(s, v.Tokens, v.Shares)
			switch govv1.VoteOption(o) {
			case yes:
				t.Yes += p
			case abst:
				t.Abstain += p
			case no:
				t.No += p
			case veto:
				t.NoWithVeto += p
			}
		}
	}
	return t
}

func TestPropertyTallyEqualsNaiveRecount(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		k := newKit(rt)
		var accounts []ledger.Address
		for i := 0; i < 8; i++ {
			accounts = append(accounts, acct(i))
		}
		for i, n := 0, rapid.IntRange(0, 15).Draw(rt, "delegations"); i < n; i++ {
			d := accounts[rapid.IntRange(0, 7).Draw(rt, "del")]
			v := accounts[rapid.IntRange(0, 2).Draw(rt, "val")]
			a := rapid.Uint64Range(1, 50_000*pin).Draw(rt, "amount")
			k.tx(d, stake.TypeDelegate, &stakev1.MsgDelegate{Validator: b(v), Amount: a})
		}
		k.blocks(1)
		wantCode(rt, k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "t", Deposit: 10 * pin}), ledger.CodeOK)
		for i, n := 0, rapid.IntRange(0, 12).Draw(rt, "votes"); i < n; i++ {
			voter := accounts[rapid.IntRange(0, 7).Draw(rt, "voter")]
			o := govv1.VoteOption(rapid.IntRange(1, 4).Draw(rt, "option"))
			wantCode(rt, k.tx(voter, TypeVote, &govv1.MsgVote{Proposal: 1, Option: o}), ledger.CodeOK)
		}
		got, want := Tally(k.st, 1), naiveTally(k.st, 1, accounts)
		if got.Yes != want.Yes || got.No != want.No || got.Abstain != want.Abstain || got.NoWithVeto != want.NoWithVeto || got.Bonded != want.Bonded {
			rt.Fatalf("tally %+v, naive recount %+v", got, want)
		}
		if got.Yes+got.No+got.Abstain+got.NoWithVeto > got.Bonded {
			rt.Fatalf("turnout above bonded: %+v", got)
		}
	})
}
