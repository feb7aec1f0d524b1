package gov

import (
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// EndBlock closes the proposals whose deposit or voting period ended by the
// block time. A proposal that did not reach the minimum deposit is dropped;
// one whose voting ended is tallied and, if it passed, its actions run with
// the governance module as signer, all or nothing: a failing action marks
// the proposal failed with the reason and never halts the chain. Deposits
// are refunded, or burned as gov.burn_* say.
func (g *Gov) EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	for _, q := range due(st, tagDepositQueue, ctx.Time) {
		st.Delete(q.key)
		p, ok := GetProposal(st, q.id)
		if !ok || p.Status != govv1.Status_STATUS_DEPOSIT_PERIOD {
			continue
		}
		p.Status = govv1.Status_STATUS_DROPPED
		if e := closeDeposits(ctx, p, params.Get(st, BurnDepositPrevote) == 1); e != nil {
			return e
		}
		g.finish(ctx, p)
	}
	for _, q := range due(st, tagVotingQueue, ctx.Time) {
		st.Delete(q.key)
		p, ok := GetProposal(st, q.id)
		if !ok || p.Status != govv1.Status_STATUS_VOTING_PERIOD {
			continue
		}
		p.FinalTally = Tally(st, p.Id)
		burn := false
		switch Decide(p.FinalTally, params.Get(st, QuorumBps), params.Get(st, ThresholdBps), params.Get(st, VetoBps)) {
		case Passed:
			o := ledger.NewOverlay(st)
			if e := g.run(ctx, o, p.Actions, true); e != nil {
				p.Status = govv1.Status_STATUS_FAILED
				p.FailedReason = e.Error()
			} else {
				o.Flush()
				p.Status = govv1.Status_STATUS_PASSED
			}
		case NoQuorum:
			p.Status = govv1.Status_STATUS_REJECTED
			p.FailedReason = "quorum not reached"
			burn = params.Get(st, BurnVoteQuorum) == 1
		case Vetoed:
			p.Status = govv1.Status_STATUS_REJECTED
			p.FailedReason = "vetoed"
			burn = params.Get(st, BurnVoteVeto) == 1
		default:
			p.Status = govv1.Status_STATUS_REJECTED
		}
		if e := closeDeposits(ctx, p, burn); e != nil {
			return e
		}
		g.finish(ctx, p)
	}
	return nil
}

func (g *Gov) finish(ctx *ledger.Context, p *govv1.Proposal) {
	p.EndHeight = ctx.Height
	putProposal(ctx.Store, p)
	attrs := []ledger.Attr{{Key: "proposal", Value: strconv.FormatUint(p.Id, 10)}, {Key: "status", Value: StatusName(p.Status)}}
	if p.FailedReason != "" {
		attrs = append(attrs, ledger.Attr{Key: "reason", Value: p.FailedReason})
	}
	ctx.Emit("gov.end", attrs...)
}

type queued struct {
	key []byte
	id  uint64
}

// due lists the entries of a queue whose time is at or before now.
func due(st ledger.Store, tag byte, now int64) []queued {
	var out []queued
	st.Iterate(key(tag), key(tag, timeKey(now+1)), func(k, _ []byte) bool {
		out = append(out, queued{key: append([]byte(nil), k...), id: ledger.ReadU64(k[len(k)-8:])})
		return true
	})
	return out
}

// closeDeposits refunds or burns a proposal's deposits and forgets them.
func closeDeposits(ctx *ledger.Context, p *govv1.Proposal, burn bool) *ledger.Error {
	st := ctx.Store
	for _, d := range DepositsOf(st, p.Id) {
		if burn {
			if e := bank.Burn(st, Deposits, d.Amount); e != nil {
				return e
			}
		} else if e := bank.Transfer(st, Deposits, d.Depositor, d.Amount); e != nil {
			return e
		}
		st.Delete(key(tagDeposit, ledger.U64(p.Id), d.Depositor[:]))
	}
	p.DepositsBurned = burn && p.TotalDeposit > 0
	return nil
}
