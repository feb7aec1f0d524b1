package gov

import (
	"math/bits"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/stake"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// Tally counts a proposal's votes in bonded tokens (cosmos-sdk x/gov
// keeper/tally.go, reference/next-stage.md §1.7): only validators of the
// active set carry weight; a delegator who voted votes its own shares, and
// the shares of delegators who did not follow their validator's operator's
// vote. Shares are grouped per validator and option and converted to tokens
// once per group, rounded down, so the result does not depend on the order
// of votes. The cost is O(votes × the voters' delegations + active set),
// never O(all delegators).
func Tally(st ledger.Store, id uint64) *govv1.Tally {
	type valTally struct {
		tokens, shares, deducted uint64
		opt                      [5]uint64 // shares per option
		opVote                   govv1.VoteOption
	}
	set := stake.ActiveSet(st)
	vals := make([]*valTally, len(set))
	index := make(map[ledger.Address]*valTally, len(set))
	t := &govv1.Tally{}
	for i, m := range set {
		op, _ := ledger.AddressFromBytes(m.Operator)
		v, ok := stake.GetValidator(st, op)
		if !ok {
			continue
		}
		vals[i] = &valTally{tokens: v.Tokens, shares: v.Shares}
		index[op] = vals[i]
		t.Bonded += v.Tokens
	}
	for _, vote := range Votes(st, id) {
		if vt, ok := index[vote.Voter]; ok {
			vt.opVote = vote.Option
		}
		for _, d := range stake.DelegationsOf(st, vote.Voter) {
			vt, ok := index[d.Validator]
			if !ok {
				continue
			}
			vt.opt[vote.Option] += d.Delegation.Shares // ≤ the validator's shares
			vt.deducted += d.Delegation.Shares
		}
	}
	for _, vt := range vals {
		if vt == nil || vt.shares == 0 {
			continue
		}
		if vt.opVote != govv1.VoteOption_VOTE_OPTION_UNSPECIFIED {
			vt.opt[vt.opVote] += vt.shares - vt.deducted
		}
		for o := range vt.opt {
			p, _ := ledger.MulDiv(vt.opt[o], vt.tokens, vt.shares)
			switch govv1.VoteOption(o) {
			case govv1.VoteOption_VOTE_OPTION_YES:
				t.Yes += p
			case govv1.VoteOption_VOTE_OPTION_ABSTAIN:
				t.Abstain += p
			case govv1.VoteOption_VOTE_OPTION_NO:
				t.No += p
			case govv1.VoteOption_VOTE_OPTION_NO_WITH_VETO:
				t.NoWithVeto += p
			}
		}
	}
	return t
}

// Outcome is what a tally decides.
type Outcome int

// Outcomes of a tally.
const (
	Passed Outcome = iota
	Rejected
	NoQuorum
	Vetoed
)

// cmpBps compares a × 10000 with b × bps, in 128 bits: -1, 0 or 1.
func cmpBps(a, b, bps uint64) int {
	ah, al := bits.Mul64(a, 10_000)
	bh, bl := bits.Mul64(b, bps)
	switch {
	case ah > bh || (ah == bh && al > bl):
		return 1
	case ah == bh && al == bl:
		return 0
	}
	return -1
}

// Decide applies quorum, veto and threshold to a tally, in the order of
// cosmos-sdk x/gov keeper/tally.go: nothing bonded or turnout below quorum
// fails; all abstaining rejects; no-with-veto above the veto share vetoes;
// yes above the threshold of the non-abstaining votes passes.
func Decide(t *govv1.Tally, quorumBps, thresholdBps, vetoBps uint64) Outcome {
	turnout := t.Yes + t.Abstain + t.No + t.NoWithVeto // ≤ bonded
	if t.Bonded == 0 || cmpBps(turnout, t.Bonded, quorumBps) < 0 {
		return NoQuorum
	}
	if turnout == t.Abstain {
		return Rejected
	}
	if cmpBps(t.NoWithVeto, turnout, vetoBps) > 0 {
		return Vetoed
	}
	if cmpBps(t.Yes, turnout-t.Abstain, thresholdBps) > 0 {
		return Passed
	}
	return Rejected
}
