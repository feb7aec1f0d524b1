package stake

import (
	"bytes"
	"sort"
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// EndBlock pays matured unbonding entries, forgets matured redelegations
// and distributes the block's fees and rewards to the active set.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	if !Enabled(ctx.Store) {
		return nil
	}
	if e := matureUnbondings(ctx); e != nil {
		return e
	}
	matureRedelegations(ctx)
	return allocate(ctx)
}

// ValidatorUpdates recomputes the active set when stake, jailing or
// stake.max_validators changed in the block, and returns the voting power
// changes for CometBFT (cosmos-sdk ApplyAndReturnValidatorSetUpdates,
// reference/next-stage.md §1.2). It runs after every module's end block.
func ValidatorUpdates(ctx *ledger.Context) ([]ledger.ValidatorUpdate, *ledger.Error) {
	st := ctx.Store
	if !Enabled(st) {
		return nil, nil
	}
	max := params.Get(st, MaxValidators)
	if st.Get(key(tagDirty)) == nil && ledger.ReadU64(st.Get(key(tagSetMax))) == max {
		return nil, nil
	}
	st.Delete(key(tagDirty))
	st.Set(key(tagSetMax), ledger.U64(max))
	return applySet(ctx, computeSet(st, max)), nil
}

func matureUnbondings(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	var ids []uint64
	st.Iterate(key(tagUBDQueue), key(tagUBDQueue, timeKey(ctx.Time+1)), func(k, _ []byte) bool {
		ids = append(ids, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	for _, id := range ids {
		u, ok := GetUnbonding(st, id)
		if !ok {
			continue
		}
		del, _ := ledger.AddressFromBytes(u.Delegator)
		if u.Balance > 0 {
			if e := bank.Transfer(st, UnbondingPool, del, u.Balance); e != nil {
				return e
			}
		}
		deleteUnbonding(st, u)
		val, _ := ledger.AddressFromBytes(u.Validator)
		ctx.Emit("stake.unbonded", ledger.Attr{Key: "delegator", Value: del.String()},
			ledger.Attr{Key: "validator", Value: val.String()},
			ledger.Attr{Key: "amount", Value: strconv.FormatUint(u.Balance, 10)})
	}
	return nil
}

func matureRedelegations(ctx *ledger.Context) {
	st := ctx.Store
	var ids []uint64
	st.Iterate(key(tagREDQueue), key(tagREDQueue, timeKey(ctx.Time+1)), func(k, _ []byte) bool {
		ids = append(ids, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	for _, id := range ids {
		if r, ok := getRedelegation(st, id); ok {
			deleteRedelegation(st, r)
		}
	}
}

// computeSet returns the top max validators by tokens (ties by operator
// address) that are not jailed and have at least one unit of power,
// sorted by operator address.
func computeSet(st ledger.Store, max uint64) []*stakev1.SetMember {
	var cands []*stakev1.Validator
	for _, v := range Validators(st) {
		if !v.Jailed && v.Tokens >= PowerReduction {
			cands = append(cands, v)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Tokens != cands[j].Tokens {
			return cands[i].Tokens > cands[j].Tokens
		}
		return bytes.Compare(cands[i].Operator, cands[j].Operator) < 0
	})
	if uint64(len(cands)) > max {
		cands = cands[:max]
	}
	set := make([]*stakev1.SetMember, len(cands))
	for i, v := range cands {
		set[i] = &stakev1.SetMember{Operator: v.Operator, Power: v.Tokens / PowerReduction}
	}
	sort.Slice(set, func(i, j int) bool { return bytes.Compare(set[i].Operator, set[j].Operator) < 0 })
	return set
}

// applySet stores a new active set and returns the updates from the old one,
// by operator address. An empty set is refused (CometBFT cannot run without
// validators): the old set stays.
func applySet(ctx *ledger.Context, next []*stakev1.SetMember) []ledger.ValidatorUpdate {
	st := ctx.Store
	if len(next) == 0 {
		ctx.Emit("stake.empty_set")
		return nil
	}
	prev := ActiveSet(st)
	old := make(map[string]uint64, len(prev))
	for _, m := range prev {
		old[string(m.Operator)] = m.Power
	}
	inNext := make(map[string]bool, len(next))
	var ups []ledger.ValidatorUpdate
	var ops [][]byte
	for _, m := range next {
		inNext[string(m.Operator)] = true
		if p, ok := old[string(m.Operator)]; ok && p == m.Power {
			continue
		}
		ops = append(ops, m.Operator)
	}
	for _, m := range prev {
		if !inNext[string(m.Operator)] {
			ops = append(ops, m.Operator)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return bytes.Compare(ops[i], ops[j]) < 0 })
	power := make(map[string]uint64, len(next))
	for _, m := range next {
		power[string(m.Operator)] = m.Power
	}
	for _, o := range ops {
		op, _ := ledger.AddressFromBytes(o)
		v, ok := GetValidator(st, op)
		if !ok {
			continue
		}
		p := power[string(o)]
		ups = append(ups, ledger.ValidatorUpdate{PubKey: v.PubKey, Power: int64(p)})
		ctx.Emit("stake.power", ledger.Attr{Key: "validator", Value: op.String()},
			ledger.Attr{Key: "power", Value: strconv.FormatUint(p, 10)})
	}
	putActiveSet(st, next)
	return ups
}

// GenesisUpdates is the active set CometBFT starts with, as updates.
func GenesisUpdates(st ledger.Store) []ledger.ValidatorUpdate {
	var ups []ledger.ValidatorUpdate
	for _, m := range ActiveSet(st) {
		op, _ := ledger.AddressFromBytes(m.Operator)
		if v, ok := GetValidator(st, op); ok {
			ups = append(ups, ledger.ValidatorUpdate{PubKey: v.PubKey, Power: int64(m.Power)})
		}
	}
	return ups
}

// Bonded reports whether a validator is in the active set, and its power.
func Bonded(st ledger.Store, op ledger.Address) (uint64, bool) {
	for _, m := range ActiveSet(st) {
		if bytes.Equal(m.Operator, op[:]) {
			return m.Power, true
		}
	}
	return 0, false
}
