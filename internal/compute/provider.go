package compute

import (
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

func u64(v uint64) string { return strconv.FormatUint(v, 10) }
func i64(v int64) string  { return strconv.FormatInt(v, 10) }

// move transfers upin and emits a bank.transfer event.
func move(ctx *ledger.Context, from, to ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return nil
	}
	if e := bank.Transfer(ctx.Store, from, to, amount); e != nil {
		return e
	}
	if !ctx.NoEvents {
		ctx.Emit("bank.transfer", ledger.A("from", from.String()), ledger.A("to", to.String()), ledger.AU64("amount", amount))
	}
	return nil
}

func countProviders(st ledger.Store) uint64 {
	var n uint64
	ledger.IteratePrefix(st, key(tagProvider), func(_, _ []byte) bool { n++; return true })
	return n
}

func handleRegister(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m computev1.MsgRegister
	if e := ledger.Unmarshal(TypeRegister, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	if _, ok := market.GetProvider(st, ctx.Signer); !ok {
		return ledger.Errorf(CodeNotMarketProvider, "%s is not a market provider (market/create-provider first)", ctx.Signer)
	}
	p, ok := GetProvider(st, ctx.Signer)
	if !ok {
		if max := params.Get(st, MaxProviders); countProviders(st) >= max {
			return ledger.Errorf(CodeProviderSetFull, "%d compute providers are registered, at most %d allowed", max, max)
		}
		p = &computev1.Provider{Address: ctx.Signer[:]}
	}
	bond, okAdd := ledger.Add(p.Bond, m.Bond)
	if !okAdd {
		return ledger.Errorf(ledger.CodeOverflow, "the bond would overflow")
	}
	if min := params.Get(st, MinBond); bond < min {
		return ledger.Errorf(CodeBondTooLow, "a bond of %d upin is below compute.min_bond %d", bond, min)
	}
	if p.Jailed && ctx.Height < p.JailedUntil {
		return ledger.Errorf(CodeProviderJailed, "%s is jailed until height %d", ctx.Signer, p.JailedUntil)
	}
	if e := move(ctx, ctx.Signer, Bond, m.Bond); e != nil {
		return e
	}
	p.Bond, p.Jailed, p.JailedUntil = bond, false, 0
	putProvider(st, p)
	ctx.Emit("compute.register", ledger.A("provider", ctx.SignerString()), ledger.AU64("bond", p.Bond))
	return nil
}

func handleUnbond(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m computev1.MsgUnbond
	if e := ledger.Unmarshal(TypeUnbond, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	p, ok := GetProvider(st, ctx.Signer)
	if !ok {
		return ledger.Errorf(CodeUnknownProvider, "%s is not a compute provider", ctx.Signer)
	}
	if p.Open > 0 {
		return ledger.Errorf(CodeProviderBusy, "%s has %d open task slots", ctx.Signer, p.Open)
	}
	if e := move(ctx, Bond, ctx.Signer, p.Bond); e != nil {
		return e
	}
	st.Delete(providerKey(ctx.Signer))
	st.Delete(eligibleKey(ctx.Signer))
	ctx.Emit("compute.unbond", ledger.A("provider", ctx.SignerString()), ledger.AU64("bond", p.Bond))
	return nil
}

func handleSetVerifier(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m computev1.MsgSetVerifier
	if e := ledger.Unmarshal(TypeSetVerifier, raw, &m); e != nil {
		return e
	}
	v, err := ledger.AddressFromBytes(m.Verifier)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "verifier: %v", err)
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	st := ctx.Store
	if m.Remove {
		if !verifierSet.Has(st, v[:]) {
			return ledger.Errorf(CodeUnknownVerifier, "%s is not a verifier", v)
		}
		verifierSet.Remove(st, v[:])
	} else {
		if e := verifierSet.CheckRoom(st, v[:], params.Get(st, MaxVerifiers)); e != nil {
			return e
		}
		verifierSet.Put(st, v[:], []byte{1})
	}
	ctx.Emit("compute.verifier", ledger.A("verifier", v.String()), ledger.A("removed", strconv.FormatBool(m.Remove)))
	return nil
}

// eligible lists the providers that can take a task at the block's
// height, in address order: registered, not jailed, bonded at least
// compute.min_bond.
func eligible(st ledger.Store) []ledger.Address {
	min := params.Get(st, MinBond)
	var out []ledger.Address
	pfx := key(tagEligible)
	ledger.IteratePrefix(st, pfx, func(k, _ []byte) bool {
		a := addr(k[len(pfx):])
		if p, ok := GetProvider(st, a); ok && p.Bond >= min {
			out = append(out, a)
		}
		return true
	})
	return out
}

// slash takes compute.slash_bps of a provider's bond into the job's
// escrow, jails the provider and hands its unanswered assignments to other
// providers. The caller saves the job afterwards; slash saves the
// provider.
func slash(ctx *ledger.Context, j *computev1.Job, t *computev1.Task, prov ledger.Address, reason string) *ledger.Error {
	st := ctx.Store
	p, ok := GetProvider(st, prov)
	if !ok {
		// Unbonding needs no open slot, so an assigned provider exists.
		panic("compute: a slot names a provider that is not registered")
	}
	amount, _ := ledger.MulDiv(p.Bond, params.Get(st, SlashBps), 10_000)
	if e := move(ctx, Bond, Escrow, amount); e != nil {
		return e
	}
	p.Bond -= amount
	p.Slashes++
	p.Slashed += amount
	p.Jailed = true
	p.JailedUntil = ctx.Height + int64(params.Get(st, JailBlocks))
	putProvider(st, p)
	j.Balance += amount // bounded by the supply
	j.SlashedIn += amount
	t.Excluded = append(t.Excluded, prov[:])
	ctx.Emit("compute.slash", ledger.A("provider", prov.String()), ledger.AU64("job", j.Id), ledger.AU64("task", uint64(t.Index)),
		ledger.AU64("round", uint64(t.Round)), ledger.A("reason", reason), ledger.AU64("amount", amount),
		ledger.A("jailed_until", i64(p.JailedUntil)))
	reassign(ctx, prov)
	return nil
}
