package stake

import (
	"math/bits"
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// Delegations are shares (reference/next-stage.md §1.5): a delegation's
// tokens are shares × validator tokens / validator shares, so a slash
// devalues every share of the validator at once. Shares are issued rounded
// down and taken back rounded up, so rounding never moves value from the
// other delegators to the one who acts.

// sharesFor is the shares amount tokens buys in v, rounded down.
func sharesFor(v *stakev1.Validator, amount uint64) (uint64, *ledger.Error) {
	if v.Shares == 0 {
		return amount, nil
	}
	if v.Tokens == 0 {
		return 0, ledger.Errorf(CodeValidatorEmpty, "validator %s has no tokens left to back new shares", operatorOf(v))
	}
	s, ok := ledger.MulDiv(amount, v.Shares, v.Tokens)
	if !ok {
		return 0, ledger.Errorf(ledger.CodeOverflow, "shares for %d upin overflow", amount)
	}
	if s == 0 {
		return 0, ledger.Errorf(ledger.CodeInvalidAmount, "%d upin buys no share of validator %s", amount, operatorOf(v))
	}
	return s, nil
}

// sharesToTake is the shares that back amount tokens of v, rounded up.
func sharesToTake(v *stakev1.Validator, amount uint64) (uint64, bool) {
	if v.Tokens == 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(amount, v.Shares)
	if hi >= v.Tokens {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, v.Tokens)
	if r != 0 {
		if q == ^uint64(0) {
			return 0, false
		}
		q++
	}
	return q, true
}

// TokensOf is the tokens a number of shares of v is worth, rounded down.
func TokensOf(v *stakev1.Validator, shares uint64) uint64 {
	if v.Shares == 0 {
		return 0
	}
	t, _ := ledger.MulDiv(shares, v.Tokens, v.Shares) // shares ≤ v.Shares, so ≤ tokens
	return t
}

// addShares bonds amount tokens of del (already in the bonded pool) to v,
// paying del's pending reward first. The caller stores v.
func addShares(ctx *ledger.Context, del ledger.Address, v *stakev1.Validator, amount uint64) (uint64, *ledger.Error) {
	if v.Tombstoned {
		return 0, ledger.Errorf(CodeTombstoned, "validator %s is tombstoned and takes no delegations", operatorOf(v))
	}
	s, e := sharesFor(v, amount)
	if e != nil {
		return 0, e
	}
	tokens, ok1 := ledger.Add(v.Tokens, amount)
	shares, ok2 := ledger.Add(v.Shares, s)
	if !ok1 || !ok2 || tokens > 1<<62 {
		return 0, ledger.Errorf(ledger.CodeOverflow, "validator %s stake would overflow", operatorOf(v))
	}
	val := operatorOf(v)
	d, ok := GetDelegation(ctx.Store, del, val)
	if !ok {
		d = &stakev1.Delegation{RewardStart: v.RewardPerShare}
	} else if e := payReward(ctx, del, v, d); e != nil {
		return 0, e
	}
	d.Shares += s // ≤ v.Shares
	v.Tokens, v.Shares = tokens, shares
	putDelegation(ctx.Store, del, val, d)
	markDirty(ctx.Store)
	return s, nil
}

// removeTokens takes amount tokens of del's delegation out of v, paying
// del's pending reward first. It returns the shares removed. The caller
// moves the tokens and stores v.
func removeTokens(ctx *ledger.Context, del ledger.Address, v *stakev1.Validator, amount uint64) (uint64, *ledger.Error) {
	val := operatorOf(v)
	d, ok := GetDelegation(ctx.Store, del, val)
	if !ok {
		return 0, ledger.Errorf(CodeUnknownDelegation, "%s has no delegation to %s", del, val)
	}
	if v.Tokens == 0 {
		return 0, ledger.Errorf(CodeValidatorEmpty, "validator %s has no tokens left", val)
	}
	s, ok := sharesToTake(v, amount)
	if !ok || s > d.Shares || amount > v.Tokens {
		return 0, ledger.Errorf(CodeInsufficientShares, "delegation of %s to %s is worth %d upin, less than %d", del, val, TokensOf(v, d.Shares), amount)
	}
	if e := payReward(ctx, del, v, d); e != nil {
		return 0, e
	}
	d.Shares -= s
	v.Shares -= s
	v.Tokens -= amount
	putDelegation(ctx.Store, del, val, d)
	if del == val && !v.Jailed && TokensOf(v, selfShares(ctx.Store, v)) < params.Get(ctx.Store, MinSelfBond) {
		// An operator below its minimum self-bond leaves the set until it
		// bonds again and unjails (cosmos-sdk x/staking unbond).
		v.Jailed = true
		v.JailedUntil = ctx.Time
		ctx.Emit("stake.jail", ledger.Attr{Key: "validator", Value: val.String()}, ledger.Attr{Key: "reason", Value: "self_bond_below_minimum"})
	}
	if e := sweepIfEmpty(ctx, v); e != nil {
		return 0, e
	}
	markDirty(ctx.Store)
	return s, nil
}

func selfShares(st ledger.Store, v *stakev1.Validator) uint64 {
	op := operatorOf(v)
	if d, ok := GetDelegation(st, op, op); ok {
		return d.Shares
	}
	return 0
}

// SelfBond is the tokens the operator has delegated to its own validator.
func SelfBond(st ledger.Store, v *stakev1.Validator) uint64 { return TokensOf(v, selfShares(st, v)) }

func countUnder(st ledger.Store, p []byte) uint64 {
	var n uint64
	ledger.IteratePrefix(st, p, func(_, _ []byte) bool { n++; return true })
	return n
}

// Delegate bonds amount of del's balance to the validator val.
func Delegate(ctx *ledger.Context, del, val ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "amount must be positive")
	}
	v, ok := GetValidator(ctx.Store, val)
	if !ok {
		return ledger.Errorf(CodeUnknownValidator, "no validator %s", val)
	}
	if bal := bank.Balance(ctx.Store, del); bal < amount {
		return ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, needs %d", del, bal, amount)
	}
	if _, e := addShares(ctx, del, v, amount); e != nil {
		return e
	}
	if e := bank.Transfer(ctx.Store, del, BondedPool, amount); e != nil {
		return e
	}
	putValidator(ctx.Store, v)
	ctx.Emit("stake.delegate", ledger.Attr{Key: "delegator", Value: del.String()},
		ledger.Attr{Key: "validator", Value: val.String()}, ledger.Attr{Key: "amount", Value: strconv.FormatUint(amount, 10)})
	return nil
}

// Undelegate starts unbonding amount tokens of del's delegation to val;
// they are paid out after stake.unbonding_seconds.
func Undelegate(ctx *ledger.Context, del, val ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "amount must be positive")
	}
	v, ok := GetValidator(ctx.Store, val)
	if !ok {
		return ledger.Errorf(CodeUnknownValidator, "no validator %s", val)
	}
	if n, max := countUnder(ctx.Store, key(tagUBDByPair, del[:], val[:])), params.Get(ctx.Store, MaxEntries); n >= max {
		return ledger.Errorf(CodeTooManyEntries, "%s has %d unbonding entries from %s, at most %d", del, n, val, max)
	}
	if _, e := removeTokens(ctx, del, v, amount); e != nil {
		return e
	}
	if e := bank.Transfer(ctx.Store, BondedPool, UnbondingPool, amount); e != nil {
		return e
	}
	putValidator(ctx.Store, v)
	u := &stakev1.Unbonding{Id: nextID(ctx.Store), Delegator: del[:], Validator: val[:], CreationHeight: ctx.Height,
		CompletionTime: ctx.Time + seconds(ctx.Store, UnbondingSeconds), Initial: amount, Balance: amount}
	putUnbonding(ctx.Store, u, true)
	ctx.Emit("stake.undelegate", ledger.Attr{Key: "delegator", Value: del.String()},
		ledger.Attr{Key: "validator", Value: val.String()}, ledger.Attr{Key: "amount", Value: strconv.FormatUint(amount, 10)},
		ledger.Attr{Key: "completion_time", Value: strconv.FormatInt(u.CompletionTime, 10)})
	return nil
}

// Redelegate moves amount tokens of del's delegation from src to dst at
// once. The move is recorded until stake.unbonding_seconds pass, so an
// infraction src committed before it still slashes the moved stake, and
// del cannot hop on from dst meanwhile (cosmos-sdk ErrTransitiveRedelegation).
func Redelegate(ctx *ledger.Context, del, src, dst ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "amount must be positive")
	}
	if src == dst {
		return ledger.Errorf(CodeSelfRedelegation, "source and destination are both %s", src)
	}
	sv, ok := GetValidator(ctx.Store, src)
	if !ok {
		return ledger.Errorf(CodeUnknownValidator, "no validator %s", src)
	}
	dv, ok := GetValidator(ctx.Store, dst)
	if !ok {
		return ledger.Errorf(CodeUnknownValidator, "no validator %s", dst)
	}
	if countUnder(ctx.Store, key(tagREDByDst, del[:], src[:])) > 0 {
		return ledger.Errorf(CodeTransitiveRedelegation, "%s redelegated into %s and that has not matured", del, src)
	}
	if n, max := countUnder(ctx.Store, key(tagREDByDst, del[:], dst[:])), params.Get(ctx.Store, MaxEntries); n >= max {
		return ledger.Errorf(CodeTooManyEntries, "%s has %d redelegations into %s, at most %d", del, n, dst, max)
	}
	if dv.Tombstoned {
		return ledger.Errorf(CodeTombstoned, "validator %s is tombstoned and takes no delegations", dst)
	}
	if _, e := removeTokens(ctx, del, sv, amount); e != nil {
		return e
	}
	putValidator(ctx.Store, sv)
	s, e := addShares(ctx, del, dv, amount)
	if e != nil {
		return e
	}
	putValidator(ctx.Store, dv)
	r := &stakev1.Redelegation{Id: nextID(ctx.Store), Delegator: del[:], Src: src[:], Dst: dst[:], CreationHeight: ctx.Height,
		CompletionTime: ctx.Time + seconds(ctx.Store, UnbondingSeconds), Initial: amount, DstShares: s}
	putRedelegation(ctx.Store, r, true)
	ctx.Emit("stake.redelegate", ledger.Attr{Key: "delegator", Value: del.String()},
		ledger.Attr{Key: "src", Value: src.String()}, ledger.Attr{Key: "dst", Value: dst.String()},
		ledger.Attr{Key: "amount", Value: strconv.FormatUint(amount, 10)})
	return nil
}

// WithdrawRewards pays del its pending reward from val, and the commission
// too when del operates val.
func WithdrawRewards(ctx *ledger.Context, del, val ledger.Address) *ledger.Error {
	v, ok := GetValidator(ctx.Store, val)
	if !ok {
		return ledger.Errorf(CodeUnknownValidator, "no validator %s", val)
	}
	d, hasDel := GetDelegation(ctx.Store, del, val)
	if !hasDel && del != val {
		return ledger.Errorf(CodeUnknownDelegation, "%s has no delegation to %s", del, val)
	}
	if hasDel {
		if e := payReward(ctx, del, v, d); e != nil {
			return e
		}
		putDelegation(ctx.Store, del, val, d)
	}
	if del == val {
		if e := payCommission(ctx, v); e != nil {
			return e
		}
	}
	putValidator(ctx.Store, v)
	return nil
}
