package gov

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/stake"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

const (
	yes  = govv1.VoteOption_VOTE_OPTION_YES
	no   = govv1.VoteOption_VOTE_OPTION_NO
	veto = govv1.VoteOption_VOTE_OPTION_NO_WITH_VETO
	abst = govv1.VoteOption_VOTE_OPTION_ABSTAIN
)

func TestParamChangeAndTreasurySpendPass(t *testing.T) {
	k := newKit(t)
	before := bank.Balance(k.st, acct(5))
	m := &govv1.MsgSubmitProposal{Title: "raise fee, pay 5", Deposit: 10 * pin, Actions: []*govv1.Action{
		setParam(t, bank.MinFee.Name, 2000),
		action(t, TypeTreasurySpend, &govv1.MsgTreasurySpend{To: b(acct(5)), Amount: 5 * pin}),
	}}
	wantCode(t, k.tx(acct(4), TypeSubmitProposal, m), ledger.CodeOK)
	if p := k.proposal(1); p.Status != govv1.Status_STATUS_VOTING_PERIOD {
		t.Fatalf("status %s, want voting", StatusName(p.Status))
	}
	wantCode(t, k.tx(acct(0), TypeVote, vote(yes)), ledger.CodeOK)
	wantCode(t, k.tx(acct(1), TypeVote, vote(yes)), ledger.CodeOK)
	k.blocks(61)
	p := k.proposal(1)
	if p.Status != govv1.Status_STATUS_PASSED {
		t.Fatalf("status %s (%s), want passed", StatusName(p.Status), p.FailedReason)
	}
	if got := params.Get(k.st, bank.MinFee); got != 2000 {
		t.Fatalf("min fee %d, want 2000", got)
	}
	if got := bank.Balance(k.st, acct(5)) - before; got != 5*pin {
		t.Fatalf("spend paid %d", got)
	}
	if got := bank.Balance(k.st, acct(4)); got != 1_000_000*pin {
		t.Fatalf("deposit not refunded: %d", got)
	}
}

func TestRejectionsChangeNothing(t *testing.T) {
	k := newKit(t)
	wantCode(t, k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "t", Deposit: 3 * pin}), ledger.CodeOK) // deposit period
	wantCode(t, k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "v", Deposit: 10 * pin}), ledger.CodeOK)
	check := func(name string, signer ledger.Address, e func() *ledger.Error, want ledger.Code) {
		t.Run(name, func(t *testing.T) {
			before := snapshot(k.st)
			wantCode(t, e(), want)
			if snapshot(k.st) != before {
				t.Fatal("a rejected message changed state")
			}
		})
	}
	check("out of bounds param", acct(4), func() *ledger.Error {
		return k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "x", Deposit: 10 * pin, Actions: []*govv1.Action{setParam(t, bank.MaxOutputs.Name, 0)}})
	}, ledger.CodeParamOutOfBounds)
	check("unknown param", acct(4), func() *ledger.Error {
		return k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "x", Deposit: 10 * pin, Actions: []*govv1.Action{setParam(t, "no.such", 1)}})
	}, ledger.CodeUnknownParam)
	check("spend beyond the treasury", acct(4), func() *ledger.Error {
		return k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "x", Deposit: 10 * pin, Actions: []*govv1.Action{
			action(t, TypeTreasurySpend, &govv1.MsgTreasurySpend{To: b(acct(5)), Amount: 60_000 * pin})}})
	}, ledger.CodeInsufficientFunds)
	check("initial deposit too low", acct(4), func() *ledger.Error {
		return k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "x", Deposit: 1})
	}, CodeDepositTooLow)
	check("no title", acct(4), func() *ledger.Error {
		return k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Deposit: 10 * pin})
	}, ledger.CodeMalformed)
	check("direct treasury spend", acct(4), func() *ledger.Error {
		return k.tx(acct(4), TypeTreasurySpend, &govv1.MsgTreasurySpend{To: b(acct(4)), Amount: 1})
	}, CodeNotAuthority)
	check("vote in deposit period", acct(0), func() *ledger.Error { return k.tx(acct(0), TypeVote, vote(yes)) }, CodeNotVotingPeriod)
	check("vote on unknown proposal", acct(0), func() *ledger.Error {
		return k.tx(acct(0), TypeVote, &govv1.MsgVote{Proposal: 9, Option: yes})
	}, CodeUnknownProposal)
	check("bad option", acct(0), func() *ledger.Error {
		return k.tx(acct(0), TypeVote, &govv1.MsgVote{Proposal: 2, Option: 9})
	}, CodeBadVoteOption)
	check("deposit in voting period", acct(5), func() *ledger.Error {
		return k.tx(acct(5), TypeDeposit, &govv1.MsgDeposit{Proposal: 2, Amount: pin})
	}, CodeNotDepositPeriod)
	k.blocks(61)
	check("vote after voting period", acct(0), func() *ledger.Error {
		return k.tx(acct(0), TypeVote, &govv1.MsgVote{Proposal: 2, Option: yes})
	}, CodeNotVotingPeriod)
	check("deposit on dropped proposal", acct(5), func() *ledger.Error {
		return k.tx(acct(5), TypeDeposit, &govv1.MsgDeposit{Proposal: 1, Amount: 10 * pin})
	}, CodeNotDepositPeriod)
	if p := k.proposal(1); p.Status != govv1.Status_STATUS_DROPPED || !p.DepositsBurned {
		t.Fatalf("proposal 1 %s burned=%v, want dropped and burned", StatusName(p.Status), p.DepositsBurned)
	}
	if p := k.proposal(2); p.Status != govv1.Status_STATUS_REJECTED || p.FailedReason != "quorum not reached" || p.DepositsBurned {
		t.Fatalf("proposal 2 %s %q burned=%v", StatusName(p.Status), p.FailedReason, p.DepositsBurned)
	}
}

func snapshot(st *ledger.MemStore) string {
	var s []byte
	st.Iterate(nil, nil, func(k, v []byte) bool {
		s = append(s, k...)
		s = append(s, v...)
		return true
	})
	return string(s)
}

func TestFailedExecutionIsRecordedNotHalting(t *testing.T) {
	k := newKit(t)
	spendAll := &govv1.MsgSubmitProposal{Title: "spend", Deposit: 10 * pin, Actions: []*govv1.Action{
		action(t, TypeTreasurySpend, &govv1.MsgTreasurySpend{To: b(acct(5)), Amount: 40_000 * pin})}}
	wantCode(t, k.tx(acct(4), TypeSubmitProposal, spendAll), ledger.CodeOK)
	wantCode(t, k.tx(acct(4), TypeSubmitProposal, spendAll), ledger.CodeOK)
	for _, id := range []uint64{1, 2} {
		for i := 0; i < 3; i++ {
			wantCode(t, k.tx(acct(i), TypeVote, &govv1.MsgVote{Proposal: id, Option: yes}), ledger.CodeOK)
		}
	}
	k.blocks(61)
	if p := k.proposal(1); p.Status != govv1.Status_STATUS_PASSED {
		t.Fatalf("first %s", StatusName(p.Status))
	}
	p := k.proposal(2)
	if p.Status != govv1.Status_STATUS_FAILED || p.FailedReason == "" {
		t.Fatalf("second %s %q, want failed with a reason", StatusName(p.Status), p.FailedReason)
	}
	if got := bank.Balance(k.st, acct(5)); got != 1_000_000*pin+40_000*pin {
		t.Fatalf("recipient has %d", got)
	}
}

func TestDelegatorOverridesValidatorAndVetoBurns(t *testing.T) {
	k := newKit(t)
	// Account 5 delegates 20,000 PIN to validator 0, which then holds 30,000 of 50,000 bonded.
	wantCode(t, k.tx(acct(5), stake.TypeDelegate, &stakev1.MsgDelegate{Validator: b(acct(0)), Amount: 20_000 * pin}), ledger.CodeOK)
	k.blocks(1)
	wantCode(t, k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "t", Deposit: 10 * pin}), ledger.CodeOK)
	wantCode(t, k.tx(acct(0), TypeVote, vote(yes)), ledger.CodeOK)
	wantCode(t, k.tx(acct(5), TypeVote, vote(veto)), ledger.CodeOK)
	tl := Tally(k.st, 1)
	if tl.Yes != 10_000*pin || tl.NoWithVeto != 20_000*pin || tl.Bonded != 50_000*pin {
		t.Fatalf("tally %+v", tl)
	}
	k.blocks(61)
	p := k.proposal(1)
	if p.Status != govv1.Status_STATUS_REJECTED || p.FailedReason != "vetoed" || !p.DepositsBurned {
		t.Fatalf("%s %q burned=%v, want vetoed and burned", StatusName(p.Status), p.FailedReason, p.DepositsBurned)
	}
}

func TestDecide(t *testing.T) {
	q, th, v := uint64(3340), uint64(5000), uint64(3340)
	cases := []struct {
		t    *govv1.Tally
		want Outcome
	}{
		{&govv1.Tally{Bonded: 0}, NoQuorum},
		{&govv1.Tally{Yes: 333, Bonded: 1000}, NoQuorum},
		{&govv1.Tally{Yes: 334, Bonded: 1000}, Passed},
		{&govv1.Tally{Abstain: 500, Bonded: 1000}, Rejected},
		{&govv1.Tally{Yes: 500, No: 500, Bonded: 1000}, Rejected},
		{&govv1.Tally{Yes: 501, No: 499, Bonded: 1000}, Passed},
		{&govv1.Tally{Yes: 600, NoWithVeto: 400, Bonded: 1000}, Vetoed},
		{&govv1.Tally{Yes: 666, NoWithVeto: 334, Bonded: 1000}, Passed},
		{&govv1.Tally{Yes: 300, Abstain: 400, No: 299, Bonded: 1000}, Passed},
	}
	for _, c := range cases {
		if got := Decide(c.t, q, th, v); got != c.want {
			t.Errorf("Decide(%v) = %d, want %d", c.t, got, c.want)
		}
	}
}

func b(a ledger.Address) []byte { return a[:] }
