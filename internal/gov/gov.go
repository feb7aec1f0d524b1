package gov

import (
	"strconv"
	"unicode/utf8"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// Message type names.
const (
	TypeSubmitProposal = "gov/submit-proposal"
	TypeDeposit        = "gov/deposit"
	TypeVote           = "gov/vote"
	TypeTreasurySpend  = "gov/treasury-spend"
)

// Gov is the governance module of one app: it keeps the app's router to
// check a proposal's actions when it is submitted and to run them when it
// passes.
type Gov struct {
	router *ledger.Router
}

// New returns a governance module; Register binds it to a router.
func New() *Gov { return &Gov{} }

// Register adds the governance messages to a router and keeps the router.
func (g *Gov) Register(rt *ledger.Router) {
	g.router = rt
	rt.Add(TypeSubmitProposal, g.handleSubmit)
	rt.Add(TypeDeposit, handleDeposit)
	rt.Add(TypeVote, handleVote)
	rt.Add(TypeTreasurySpend, handleTreasurySpend)
}

// run executes a proposal's actions on st with the governance module as the
// signer. On failure the caller drops st.
func (g *Gov) run(parent *ledger.Context, st ledger.Store, actions []*govv1.Action, emit bool) *ledger.Error {
	ctx := &ledger.Context{Store: st, ChainID: parent.ChainID, Height: parent.Height, Time: parent.Time, Signer: Authority, NoEvents: !emit}
	for i, a := range actions {
		h, ok := g.router.Handler(a.Type)
		if !ok || a.Type == TypeSubmitProposal || a.Type == TypeDeposit || a.Type == TypeVote {
			return ledger.Errorf(ledger.CodeUnknownMessage, "action %d: %q cannot be run by a proposal", i, a.Type)
		}
		if e := h(ctx, a.Value); e != nil {
			return ledger.Errorf(e.Code, "action %d (%s): %s", i, a.Type, e.Msg)
		}
	}
	if emit {
		for _, e := range ctx.Events() {
			parent.Emit(e.Type, e.Attrs...)
		}
	}
	return nil
}

func (g *Gov) handleSubmit(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m govv1.MsgSubmitProposal
	if e := ledger.Unmarshal(TypeSubmitProposal, raw, &m); e != nil {
		return e
	}
	return g.Submit(ctx, &m)
}

// Submit opens a proposal. Its actions are run at once on a copy of the
// state that is thrown away, so a proposal that could not execute now (an
// unknown parameter, a value out of bounds, a spend the treasury cannot
// cover) is rejected with that action's code.
func (g *Gov) Submit(ctx *ledger.Context, m *govv1.MsgSubmitProposal) *ledger.Error {
	st := ctx.Store
	if m.Title == "" || len(m.Title) > MaxTitleLen || !utf8.ValidString(m.Title) {
		return ledger.Errorf(ledger.CodeMalformed, "title must be valid UTF-8 of 1 to %d bytes", MaxTitleLen)
	}
	if len(m.Summary) > MaxSummaryLen || !utf8.ValidString(m.Summary) {
		return ledger.Errorf(ledger.CodeMalformed, "summary must be valid UTF-8 of at most %d bytes", MaxSummaryLen)
	}
	if max := params.Get(st, MaxActions); uint64(len(m.Actions)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "%d actions, at most %d", len(m.Actions), max)
	}
	minDep := params.Get(st, MinDeposit)
	minInit, _ := ledger.MulDiv(minDep, params.Get(st, MinInitialDepositBps), 10_000)
	if m.Deposit < minInit || m.Deposit == 0 {
		return ledger.Errorf(CodeDepositTooLow, "initial deposit %d upin below %d (%d bps of the minimum deposit %d)",
			m.Deposit, max(minInit, 1), params.Get(st, MinInitialDepositBps), minDep)
	}
	if e := g.run(ctx, ledger.NewOverlay(st), m.Actions, false); e != nil {
		return e
	}
	if bal := bank.Balance(st, ctx.Signer); bal < m.Deposit {
		return ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, needs %d", ctx.Signer, bal, m.Deposit)
	}
	id := ledger.ReadU64(st.Get(key(tagNextID))) + 1
	st.Set(key(tagNextID), ledger.U64(id))
	p := &govv1.Proposal{Id: id, Proposer: ctx.Signer[:], Title: m.Title, Summary: m.Summary, Actions: m.Actions,
		Status: govv1.Status_STATUS_DEPOSIT_PERIOD, SubmitTime: ctx.Time, DepositEndTime: ctx.Time + seconds(st, DepositSeconds)}
	st.Set(key(tagDepositQueue, timeKey(p.DepositEndTime), ledger.U64(id)), []byte{})
	ctx.Emit("gov.submit", ledger.Attr{Key: "proposal", Value: strconv.FormatUint(id, 10)},
		ledger.Attr{Key: "proposer", Value: ctx.SignerString()}, ledger.Attr{Key: "title", Value: m.Title})
	return addDeposit(ctx, p, m.Deposit)
}

// addDeposit records a deposit and opens voting once the total reaches the
// minimum. It stores p.
func addDeposit(ctx *ledger.Context, p *govv1.Proposal, amount uint64) *ledger.Error {
	st := ctx.Store
	total, ok := ledger.Add(p.TotalDeposit, amount)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "total deposit overflows")
	}
	if e := bank.Transfer(st, ctx.Signer, Deposits, amount); e != nil {
		return e
	}
	dk := key(tagDeposit, ledger.U64(p.Id), ctx.Signer[:])
	st.Set(dk, ledger.U64(ledger.ReadU64(st.Get(dk))+amount)) // ≤ total
	p.TotalDeposit = total
	ctx.Emit("gov.deposit", ledger.Attr{Key: "proposal", Value: strconv.FormatUint(p.Id, 10)},
		ledger.Attr{Key: "depositor", Value: ctx.SignerString()}, ledger.Attr{Key: "amount", Value: strconv.FormatUint(amount, 10)})
	if p.TotalDeposit >= params.Get(st, MinDeposit) {
		st.Delete(key(tagDepositQueue, timeKey(p.DepositEndTime), ledger.U64(p.Id)))
		p.Status = govv1.Status_STATUS_VOTING_PERIOD
		p.VotingStartTime = ctx.Time
		p.VotingEndTime = ctx.Time + seconds(st, VotingSeconds)
		st.Set(key(tagVotingQueue, timeKey(p.VotingEndTime), ledger.U64(p.Id)), []byte{})
		ctx.Emit("gov.voting", ledger.Attr{Key: "proposal", Value: strconv.FormatUint(p.Id, 10)},
			ledger.Attr{Key: "end_time", Value: strconv.FormatInt(p.VotingEndTime, 10)})
	}
	putProposal(st, p)
	return nil
}

func handleDeposit(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m govv1.MsgDeposit
	if e := ledger.Unmarshal(TypeDeposit, raw, &m); e != nil {
		return e
	}
	if m.Amount == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "amount must be positive")
	}
	p, ok := GetProposal(ctx.Store, m.Proposal)
	if !ok {
		return ledger.Errorf(CodeUnknownProposal, "no proposal %d", m.Proposal)
	}
	if p.Status != govv1.Status_STATUS_DEPOSIT_PERIOD {
		return ledger.Errorf(CodeNotDepositPeriod, "proposal %d is %s, not in its deposit period", p.Id, StatusName(p.Status))
	}
	return addDeposit(ctx, p, m.Amount)
}

func handleVote(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m govv1.MsgVote
	if e := ledger.Unmarshal(TypeVote, raw, &m); e != nil {
		return e
	}
	if m.Option < govv1.VoteOption_VOTE_OPTION_YES || m.Option > govv1.VoteOption_VOTE_OPTION_NO_WITH_VETO {
		return ledger.Errorf(CodeBadVoteOption, "vote option %d is not yes, abstain, no or no_with_veto", m.Option)
	}
	p, ok := GetProposal(ctx.Store, m.Proposal)
	if !ok {
		return ledger.Errorf(CodeUnknownProposal, "no proposal %d", m.Proposal)
	}
	if p.Status != govv1.Status_STATUS_VOTING_PERIOD || ctx.Time >= p.VotingEndTime {
		return ledger.Errorf(CodeNotVotingPeriod, "proposal %d is %s, not in its voting period", p.Id, StatusName(p.Status))
	}
	ctx.Store.Set(key(tagVote, ledger.U64(p.Id), ctx.Signer[:]), []byte{byte(m.Option)})
	ctx.Emit("gov.vote", ledger.Attr{Key: "proposal", Value: strconv.FormatUint(p.Id, 10)},
		ledger.Attr{Key: "voter", Value: ctx.SignerString()}, ledger.Attr{Key: "option", Value: OptionName(m.Option)})
	return nil
}

func handleTreasurySpend(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m govv1.MsgTreasurySpend
	if e := ledger.Unmarshal(TypeTreasurySpend, raw, &m); e != nil {
		return e
	}
	to, err := ledger.AddressFromBytes(m.To)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "recipient: %v", err)
	}
	if m.Amount == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "amount must be positive")
	}
	if ctx.Signer != Authority {
		return ledger.Errorf(CodeNotAuthority, "only a passed proposal may spend the treasury")
	}
	if e := bank.Transfer(ctx.Store, Treasury, to, m.Amount); e != nil {
		return ledger.Errorf(e.Code, "treasury: %s", e.Msg)
	}
	ctx.Emit("gov.treasury_spend", ledger.Attr{Key: "to", Value: to.String()}, ledger.Attr{Key: "amount", Value: strconv.FormatUint(m.Amount, 10)})
	return nil
}

// OptionName is a vote option's stable name.
func OptionName(o govv1.VoteOption) string {
	switch o {
	case govv1.VoteOption_VOTE_OPTION_YES:
		return "yes"
	case govv1.VoteOption_VOTE_OPTION_ABSTAIN:
		return "abstain"
	case govv1.VoteOption_VOTE_OPTION_NO:
		return "no"
	case govv1.VoteOption_VOTE_OPTION_NO_WITH_VETO:
		return "no_with_veto"
	}
	return "unspecified"
}

// ParseOption reads a vote option's name.
func ParseOption(s string) (govv1.VoteOption, bool) {
	for o := govv1.VoteOption_VOTE_OPTION_YES; o <= govv1.VoteOption_VOTE_OPTION_NO_WITH_VETO; o++ {
		if OptionName(o) == s {
			return o, true
		}
	}
	if s == "veto" {
		return govv1.VoteOption_VOTE_OPTION_NO_WITH_VETO, true
	}
	return 0, false
}

// StatusName is a status's stable name.
func StatusName(s govv1.Status) string {
	switch s {
	case govv1.Status_STATUS_DEPOSIT_PERIOD:
		return "deposit_period"
	case govv1.Status_STATUS_VOTING_PERIOD:
		return "voting_period"
	case govv1.Status_STATUS_PASSED:
		return "passed"
	case govv1.Status_STATUS_REJECTED:
		return "rejected"
	case govv1.Status_STATUS_FAILED:
		return "failed"
	case govv1.Status_STATUS_DROPPED:
		return "dropped"
	}
	return "unspecified"
}
