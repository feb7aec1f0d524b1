package stake

import (
	"math"
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// BeginBlock punishes double signs and counts missed blocks
// (reference/next-stage.md §1.3, §1.4).
func BeginBlock(ctx *ledger.Context, info ledger.BlockInfo) *ledger.Error {
	if !Enabled(ctx.Store) {
		return nil
	}
	for _, m := range info.Evidence {
		if e := handleDoubleSign(ctx, m); e != nil {
			return e
		}
	}
	for _, v := range info.Votes {
		if e := handleVote(ctx, v); e != nil {
			return e
		}
	}
	return nil
}

// handleDoubleSign slashes stake.slash_double_sign_bps of the offender's
// stake at the infraction (unbonding and redelegated stake created after it
// included), jails it for ever and tombstones it (cosmos x/evidence
// handleEquivocationEvidence, which treats light client attacks the same
// way). Evidence older than both max ages, about an unknown or already
// tombstoned validator, is ignored.
func handleDoubleSign(ctx *ledger.Context, m ledger.Misbehavior) *ledger.Error {
	st := ctx.Store
	v, ok := ValidatorByConsAddress(st, m.Validator)
	if !ok || v.Tombstoned {
		return nil
	}
	ageBlocks := ctx.Height - m.Height
	ageTime := ctx.Time - m.Time
	if ageBlocks > int64(params.Get(st, EvidenceMaxAgeBlocks)) && ageTime > seconds(st, EvidenceMaxAgeSeconds) {
		return nil
	}
	power := uint64(0)
	if m.Power > 0 {
		power = uint64(m.Power)
	}
	slashed, e := slash(ctx, v, m.Height, power, params.Get(st, SlashDoubleSignBps))
	if e != nil {
		return e
	}
	v.Jailed = true
	v.JailedUntil = math.MaxInt64
	v.Tombstoned = true
	putValidator(st, v)
	markDirty(st)
	st.Set(key(tagEvidence, m.Validator[:], ledger.U64(uint64(m.Height))),
		encode(&stakev1.Evidence{Operator: v.Operator, Height: m.Height, Slashed: slashed, BlockHeight: ctx.Height}))
	ctx.Emit("stake.slash", ledger.Attr{Key: "validator", Value: operatorOf(v).String()},
		ledger.Attr{Key: "reason", Value: "double_sign"},
		ledger.Attr{Key: "infraction_height", Value: strconv.FormatInt(m.Height, 10)},
		ledger.Attr{Key: "amount", Value: strconv.FormatUint(slashed, 10)})
	ctx.Emit("stake.tombstone", ledger.Attr{Key: "validator", Value: operatorOf(v).String()})
	return nil
}

// maxMissed is how many blocks of a window a validator may miss.
func maxMissed(st ledger.Store) uint64 {
	w := params.Get(st, SignedBlocksWindow)
	signed, _ := ledger.MulDiv(w, params.Get(st, MinSignedBps), 10_000)
	return w - signed
}

// handleVote counts a missed block in the validator's current window;
// past the allowance it slashes stake.slash_downtime_bps, jails the
// validator for stake.downtime_jail_seconds and starts its count afresh.
// Only a miss writes state.
func handleVote(ctx *ledger.Context, vote ledger.Vote) *ledger.Error {
	if vote.Signed {
		return nil
	}
	st := ctx.Store
	v, ok := ValidatorByConsAddress(st, vote.Validator)
	if !ok || v.Jailed {
		return nil
	}
	window := uint64(ctx.Height) / params.Get(st, SignedBlocksWindow)
	if v.MissedWindow != window {
		v.MissedWindow, v.Missed = window, 0
	}
	v.Missed++
	if v.Missed <= maxMissed(st) {
		putValidator(st, v)
		return nil
	}
	power := v.Tokens / PowerReduction
	slashed, e := slash(ctx, v, ctx.Height-2, power, params.Get(st, SlashDowntimeBps))
	if e != nil {
		return e
	}
	v.Jailed = true
	v.JailedUntil = ctx.Time + seconds(st, DowntimeJailSeconds)
	v.Missed = 0
	putValidator(st, v)
	markDirty(st)
	ctx.Emit("stake.slash", ledger.Attr{Key: "validator", Value: operatorOf(v).String()},
		ledger.Attr{Key: "reason", Value: "downtime"},
		ledger.Attr{Key: "amount", Value: strconv.FormatUint(slashed, 10)})
	ctx.Emit("stake.jail", ledger.Attr{Key: "validator", Value: operatorOf(v).String()},
		ledger.Attr{Key: "reason", Value: "downtime"},
		ledger.Attr{Key: "until", Value: strconv.FormatInt(v.JailedUntil, 10)})
	return nil
}

// slash burns fraction bps of the stake v had at infraction height (power
// units of PowerReduction then): first from unbonding entries and
// redelegations out of v created at or after the infraction (each loses at
// most the fraction of what it started with), the rest from v's tokens. It
// never burns more than the fraction of the stake at the infraction, nor
// more than exists. The caller stores v.
func slash(ctx *ledger.Context, v *stakev1.Validator, infraction int64, power, bps uint64) (uint64, *ledger.Error) {
	st := ctx.Store
	stake, ok := ledger.MulDiv(power, PowerReduction, 1)
	if !ok {
		stake = math.MaxUint64
	}
	target, _ := ledger.MulDiv(stake, bps, 10_000)
	remaining := target
	op := operatorOf(v)
	for _, id := range idsUnder(st, key(tagUBDByVal, op[:])) {
		u, ok := GetUnbonding(st, id)
		if !ok || u.CreationHeight < infraction || u.Balance == 0 {
			continue
		}
		take, _ := ledger.MulDiv(u.Initial, bps, 10_000)
		take = min(take, u.Balance, remaining)
		if take == 0 {
			continue
		}
		if e := bank.Burn(st, UnbondingPool, take); e != nil {
			return 0, e
		}
		u.Balance -= take
		remaining -= take
		putUnbonding(st, u, false)
	}
	for _, id := range idsUnder(st, key(tagREDBySrc, op[:])) {
		r, ok := getRedelegation(st, id)
		if !ok || r.CreationHeight < infraction || r.DstShares == 0 {
			continue
		}
		want, _ := ledger.MulDiv(r.Initial, bps, 10_000)
		want = min(want, remaining)
		taken, e := slashRedelegation(ctx, r, want)
		if e != nil {
			return 0, e
		}
		remaining -= taken
	}
	take := min(remaining, v.Tokens)
	if take > 0 {
		if e := bank.Burn(st, BondedPool, take); e != nil {
			return 0, e
		}
		v.Tokens -= take
		remaining -= take
	}
	markDirty(st)
	return target - remaining, nil
}

// slashRedelegation burns up to want tokens of the shares a redelegation
// put into its destination, from the delegator's delegation there.
func slashRedelegation(ctx *ledger.Context, r *stakev1.Redelegation, want uint64) (uint64, *ledger.Error) {
	st := ctx.Store
	dst, _ := ledger.AddressFromBytes(r.Dst)
	del, _ := ledger.AddressFromBytes(r.Delegator)
	dv, ok := GetValidator(st, dst)
	if !ok || want == 0 || dv.Tokens == 0 {
		return 0, nil
	}
	d, ok := GetDelegation(st, del, dst)
	if !ok {
		return 0, nil
	}
	s, ok := sharesToTake(dv, want)
	if !ok {
		s = dv.Shares
	}
	s = min(s, d.Shares, r.DstShares)
	tokens := TokensOf(dv, s)
	if s == 0 {
		return 0, nil
	}
	if e := payReward(ctx, del, dv, d); e != nil {
		return 0, e
	}
	d.Shares -= s
	dv.Shares -= s
	dv.Tokens -= tokens
	putDelegation(st, del, dst, d)
	r.DstShares -= s
	putRedelegation(st, r, false)
	if tokens > 0 {
		if e := bank.Burn(st, BondedPool, tokens); e != nil {
			return 0, e
		}
	}
	if e := sweepIfEmpty(ctx, dv); e != nil {
		return 0, e
	}
	putValidator(st, dv)
	return tokens, nil
}
