package gov

import (
	"encoding/hex"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// ActionView is a proposal action as queries show it.
type ActionView struct {
	Type  string `json:"type"`
	Value string `json:"value_hex"`
}

// TallyView is a tally in upin.
type TallyView struct {
	Yes        uint64 `json:"yes,string"`
	Abstain    uint64 `json:"abstain,string"`
	No         uint64 `json:"no,string"`
	NoWithVeto uint64 `json:"no_with_veto,string"`
	Bonded     uint64 `json:"bonded,string"`
}

// ProposalView is a proposal as queries show it.
type ProposalView struct {
	ID              uint64       `json:"id,string"`
	Proposer        string       `json:"proposer"`
	Title           string       `json:"title"`
	Summary         string       `json:"summary,omitempty"`
	Actions         []ActionView `json:"actions"`
	Status          string       `json:"status"`
	TotalDeposit    uint64       `json:"total_deposit,string"`
	SubmitTime      int64        `json:"submit_time,string"`
	DepositEndTime  int64        `json:"deposit_end_time,string"`
	VotingStartTime int64        `json:"voting_start_time,omitempty,string"`
	VotingEndTime   int64        `json:"voting_end_time,omitempty,string"`
	FinalTally      *TallyView   `json:"final_tally,omitempty"`
	FailedReason    string       `json:"failed_reason,omitempty"`
	DepositsBurned  bool         `json:"deposits_burned,omitempty"`
	EndHeight       int64        `json:"end_height,omitempty,string"`
}

func tallyView(t *govv1.Tally) *TallyView {
	if t == nil {
		return nil
	}
	return &TallyView{Yes: t.Yes, Abstain: t.Abstain, No: t.No, NoWithVeto: t.NoWithVeto, Bonded: t.Bonded}
}

// View renders a proposal.
func View(p *govv1.Proposal) ProposalView {
	prop, _ := ledger.AddressFromBytes(p.Proposer)
	v := ProposalView{ID: p.Id, Proposer: prop.String(), Title: p.Title, Summary: p.Summary, Actions: []ActionView{},
		Status: StatusName(p.Status), TotalDeposit: p.TotalDeposit, SubmitTime: p.SubmitTime, DepositEndTime: p.DepositEndTime,
		VotingStartTime: p.VotingStartTime, VotingEndTime: p.VotingEndTime, FinalTally: tallyView(p.FinalTally),
		FailedReason: p.FailedReason, DepositsBurned: p.DepositsBurned, EndHeight: p.EndHeight}
	for _, a := range p.Actions {
		v.Actions = append(v.Actions, ActionView{Type: a.Type, Value: hex.EncodeToString(a.Value)})
	}
	return v
}

// TallyNow is the current tally of a proposal (the final one once voting
// ended) and the votes cast.
type TallyNow struct {
	Proposal uint64     `json:"proposal,string"`
	Final    bool       `json:"final"`
	Tally    *TallyView `json:"tally"`
	Votes    []VoteView `json:"votes"`
}

// VoteView is one vote.
type VoteView struct {
	Voter  string `json:"voter"`
	Option string `json:"option"`
}

// QueryTally returns a proposal's tally: the running count during voting,
// the final one after.
func QueryTally(st ledger.Store, p *govv1.Proposal) TallyNow {
	out := TallyNow{Proposal: p.Id, Votes: []VoteView{}}
	if p.FinalTally != nil {
		out.Final = true
		out.Tally = tallyView(p.FinalTally)
	} else {
		out.Tally = tallyView(Tally(st, p.Id))
	}
	for _, v := range Votes(st, p.Id) {
		out.Votes = append(out.Votes, VoteView{Voter: v.Voter.String(), Option: OptionName(v.Option)})
	}
	return out
}

// ProposalsView is a page of proposals.
type ProposalsView struct {
	Proposals []ProposalView `json:"proposals"`
}

// Queries registers the governance module's read-only queries:
//
//	gov/proposals?after=ID&limit=N   proposals by id
//	gov/proposals/{id}               one proposal
//	gov/proposals/{id}/tally         its tally (running or final) and votes
func Queries(rt *ledger.QueryRouter) {
	rt.Add("gov/proposals", func(q *ledger.Query) (any, *ledger.QueryError) {
		var after uint64
		limit := 100
		if s := q.Arg("after"); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "after %q is not a number", s)
			}
			after = n
		}
		if s := q.Arg("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 1000 {
				return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "limit %q must be 1 to 1000", s)
			}
			limit = n
		}
		out := ProposalsView{Proposals: []ProposalView{}}
		for _, p := range Proposals(q.Store, after, limit) {
			out.Proposals = append(out.Proposals, View(p))
		}
		return out, nil
	})
	rt.Add("gov/proposals/{id}", func(q *ledger.Query) (any, *ledger.QueryError) {
		p, e := proposalOf(q)
		if e != nil {
			return nil, e
		}
		return View(p), nil
	})
	rt.Add("gov/proposals/{id}/tally", func(q *ledger.Query) (any, *ledger.QueryError) {
		p, e := proposalOf(q)
		if e != nil {
			return nil, e
		}
		return QueryTally(q.Store, p), nil
	})
}

func proposalOf(q *ledger.Query) (*govv1.Proposal, *ledger.QueryError) {
	id, err := strconv.ParseUint(q.Vars[0], 10, 64)
	if err != nil {
		return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "proposal id %q is not a number", q.Vars[0])
	}
	p, ok := GetProposal(q.Store, id)
	if !ok {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no proposal %d", id)
	}
	return p, nil
}
