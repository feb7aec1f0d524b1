package stake

import (
	"math/big"
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// Distribution is lazy, in the spirit of F1 (cosmos-sdk x/distribution,
// reference/next-stage.md §1.6) but per share rather than per token: each
// validator keeps the cumulative delegator reward per share (scaled by
// 10^18, an exact integer). A block credits a validator in O(1); a
// delegation's reward is shares × (cumulative now − cumulative at its last
// payout), computed only when it is withdrawn or its shares change. Shares
// are never touched by a slash, so no slash events need replaying.
// Payouts are rounded down and clamped to the validator's outstanding
// reward; what rounding leaves behind goes to the treasury when the
// validator's last share leaves.

var rewardScale = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

func readBig(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

// pendingReward is what a delegation has earned since its last payout.
func pendingReward(v *stakev1.Validator, d *stakev1.Delegation) uint64 {
	diff := new(big.Int).Sub(readBig(v.RewardPerShare), readBig(d.RewardStart))
	if diff.Sign() <= 0 {
		return 0
	}
	diff.Mul(diff, new(big.Int).SetUint64(d.Shares))
	diff.Quo(diff, rewardScale)
	if !diff.IsUint64() || diff.Uint64() > v.Outstanding {
		return v.Outstanding
	}
	return diff.Uint64()
}

// creditDelegators adds amount to a validator's delegator rewards.
func creditDelegators(v *stakev1.Validator, amount uint64) {
	if amount == 0 || v.Shares == 0 {
		return
	}
	inc := new(big.Int).Mul(new(big.Int).SetUint64(amount), rewardScale)
	inc.Quo(inc, new(big.Int).SetUint64(v.Shares))
	v.RewardPerShare = inc.Add(inc, readBig(v.RewardPerShare)).Bytes()
	v.Outstanding += amount // bounded by the supply, which fits in uint64
}

// payReward pays a delegation its pending reward and restarts it at the
// validator's current cumulative reward per share. The caller stores v and
// d.
func payReward(ctx *ledger.Context, del ledger.Address, v *stakev1.Validator, d *stakev1.Delegation) *ledger.Error {
	amt := pendingReward(v, d)
	d.RewardStart = v.RewardPerShare
	if amt == 0 {
		return nil
	}
	if e := bank.Transfer(ctx.Store, RewardsPool, del, amt); e != nil {
		return e
	}
	v.Outstanding -= amt
	ctx.Emit("stake.rewards",
		ledger.Attr{Key: "delegator", Value: del.String()},
		ledger.Attr{Key: "validator", Value: operatorOf(v).String()},
		ledger.Attr{Key: "amount", Value: strconv.FormatUint(amt, 10)})
	return nil
}

// payCommission pays an operator its accumulated commission.
func payCommission(ctx *ledger.Context, v *stakev1.Validator) *ledger.Error {
	if v.Commission == 0 {
		return nil
	}
	op := operatorOf(v)
	if e := bank.Transfer(ctx.Store, RewardsPool, op, v.Commission); e != nil {
		return e
	}
	ctx.Emit("stake.commission",
		ledger.Attr{Key: "validator", Value: op.String()},
		ledger.Attr{Key: "amount", Value: strconv.FormatUint(v.Commission, 10)})
	v.Commission = 0
	return nil
}

// sweepIfEmpty sends what a validator without shares still holds (tokens
// left by rounding, undistributable rewards) to the treasury.
func sweepIfEmpty(ctx *ledger.Context, v *stakev1.Validator) *ledger.Error {
	st := ctx.Store
	if v.Shares != 0 || (v.Tokens == 0 && v.Outstanding == 0) {
		return nil
	}
	ctx.Emit("stake.sweep", ledger.Attr{Key: "validator", Value: operatorOf(v).String()},
		ledger.Attr{Key: "tokens", Value: strconv.FormatUint(v.Tokens, 10)},
		ledger.Attr{Key: "rewards", Value: strconv.FormatUint(v.Outstanding, 10)})
	if v.Tokens > 0 {
		if e := bank.Transfer(st, BondedPool, Treasury, v.Tokens); e != nil {
			return e
		}
		addTreasuryDust(st, v.Tokens)
		v.Tokens = 0
	}
	if v.Outstanding > 0 {
		if e := bank.Transfer(st, RewardsPool, Treasury, v.Outstanding); e != nil {
			return e
		}
		addTreasuryDust(st, v.Outstanding)
		v.Outstanding = 0
	}
	v.RewardPerShare = nil
	return nil
}

// allocate distributes the fee collector's balance (transaction fees, and
// the validators pool the reward engine pays there) to the active set
// pro-rata to power; each validator keeps its commission and credits the
// rest to its delegators. Rounding remainders go to the treasury.
func allocate(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	total := bank.Balance(st, bank.FeeCollector)
	set := ActiveSet(st)
	if total == 0 || len(set) == 0 {
		return nil
	}
	var power uint64
	for _, m := range set {
		power += m.Power // at most 10,000 × MaxInt64/8 / 10^4: fits (CometBFT MaxTotalVotingPower)
	}
	if e := bank.Transfer(st, bank.FeeCollector, RewardsPool, total); e != nil {
		return e
	}
	var paid uint64
	for _, m := range set {
		op, _ := ledger.AddressFromBytes(m.Operator)
		v, ok := GetValidator(st, op)
		if !ok {
			continue
		}
		share, _ := ledger.MulDiv(total, m.Power, power) // ≤ total
		if share == 0 {
			continue
		}
		if v.Shares == 0 {
			continue // left to the remainder
		}
		comm, _ := ledger.MulDiv(share, uint64(v.CommissionBps), 10_000)
		v.Commission += comm
		creditDelegators(v, share-comm)
		putValidator(st, v)
		if !ctx.NoEvents {
			ctx.Emit("stake.validator_rewards", ledger.Attr{Key: "validator", Value: op.String()},
				ledger.Attr{Key: "commission", Value: strconv.FormatUint(comm, 10)},
				ledger.Attr{Key: "delegators", Value: strconv.FormatUint(share-comm, 10)})
		}
		paid += share
	}
	if rest := total - paid; rest > 0 {
		if e := bank.Transfer(st, RewardsPool, Treasury, rest); e != nil {
			return e
		}
		addTreasuryDust(st, rest)
	}
	ctx.Emit("stake.allocate", ledger.Attr{Key: "amount", Value: strconv.FormatUint(total, 10)},
		ledger.Attr{Key: "remainder", Value: strconv.FormatUint(total-paid, 10)})
	return nil
}

// PendingRewards is what a delegator would receive from a validator if it
// withdrew now (commission not included).
func PendingRewards(st ledger.Store, del, val ledger.Address) uint64 {
	v, ok := GetValidator(st, val)
	if !ok {
		return 0
	}
	d, ok := GetDelegation(st, del, val)
	if !ok {
		return 0
	}
	return pendingReward(v, d)
}

// PayValidatorsPool receives an epoch's validators pool from the reward
// engine: it is minted to the fee collector and distributed with the
// block's fees at the end of the block. On a chain without staking it goes
// to the treasury.
func PayValidatorsPool(ctx *ledger.Context, epoch, amount uint64) *ledger.Error {
	to := bank.FeeCollector
	if !Enabled(ctx.Store) {
		to = Treasury
	}
	if e := bank.Mint(ctx.Store, to, amount); e != nil {
		return e
	}
	ctx.Emit("stake.validators_pool", ledger.Attr{Key: "epoch", Value: strconv.FormatUint(epoch, 10)},
		ledger.Attr{Key: "amount", Value: strconv.FormatUint(amount, 10)})
	return nil
}
