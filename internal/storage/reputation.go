package storage

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// ScaleOne is 1.0 in the fixed point of α, β and scores (millionths).
const ScaleOne = 1_000_000

// Score is a reputation's α/(α+β) in millionths, rounded down.
func Score(r *storagev1.Reputation) uint64 {
	sum, ok := ledger.Add(r.Alpha, r.Beta)
	if !ok || sum == 0 {
		// α and β are bounded far below 2^63 (see update); 0/0 is a
		// provider with no weight at all, which scores zero.
		if sum == 0 {
			return 0
		}
		a, _ := ledger.MulDiv(r.Alpha/2, ScaleOne, r.Alpha/2+r.Beta/2)
		return a
	}
	s, _ := ledger.MulDiv(r.Alpha, ScaleOne, sum)
	return s
}

// StatusName names a provider status.
func StatusName(s storagev1.ProviderStatus) string {
	switch s {
	case storagev1.ProviderStatus_PROVIDER_STATUS_VETTING:
		return "vetting"
	case storagev1.ProviderStatus_PROVIDER_STATUS_VETTED:
		return "vetted"
	case storagev1.ProviderStatus_PROVIDER_STATUS_SUSPENDED:
		return "suspended"
	case storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED:
		return "disqualified"
	}
	return "unknown"
}

// reputationOf returns a provider's reputation, or a fresh one (α =
// storage.rep_initial_alpha, β = 0) not yet saved.
func reputationOf(st ledger.Store, p ledger.Address, height int64) *storagev1.Reputation {
	if r, ok := GetReputation(st, p); ok {
		return r
	}
	a, _ := ledger.MulDiv(params.Get(st, RepInitialAlpha), ScaleOne, 1)
	r := &storagev1.Reputation{Provider: p[:], Alpha: a, FirstHeight: height, StatusHeight: height,
		Status: storagev1.ProviderStatus_PROVIDER_STATUS_VETTING}
	if params.Get(st, VettingProofs) == 0 {
		r.Status = storagev1.ProviderStatus_PROVIDER_STATUS_VETTED
	}
	return r
}

// statusOf reads a provider's status without creating a record.
func statusOf(st ledger.Store, p ledger.Address) storagev1.ProviderStatus {
	if r, ok := GetReputation(st, p); ok {
		return r.Status
	}
	return storagev1.ProviderStatus_PROVIDER_STATUS_VETTING
}

// checkEligible refuses a suspended or disqualified provider.
func checkEligible(st ledger.Store, p ledger.Address) *ledger.Error {
	switch statusOf(st, p) {
	case storagev1.ProviderStatus_PROVIDER_STATUS_SUSPENDED:
		return ledger.Errorf(CodeProviderSuspended, "provider %s is suspended", p)
	case storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED:
		return ledger.Errorf(CodeDisqualified, "provider %s is disqualified", p)
	}
	return nil
}

// checkRoom refuses a new deal with a provider still being vetted that
// holds storage.vetting_max_open_deals open deals already (its pending
// deals count, and may still be acknowledged).
func checkRoom(st ledger.Store, p ledger.Address) *ledger.Error {
	if statusOf(st, p) != storagev1.ProviderStatus_PROVIDER_STATUS_VETTING {
		return nil
	}
	if max := params.Get(st, VettingMaxOpenDeals); openDeals(st, p, max) >= max {
		return ledger.Errorf(CodeVettingLimit, "provider %s is still being vetted and holds %d open deals already (storage.vetting_max_open_deals)", p, max)
	}
	return nil
}

// openDeals counts the pending and active deals of provider p, stopping at
// limit.
func openDeals(st ledger.Store, p ledger.Address, limit uint64) uint64 {
	n := uint64(0)
	prefix := key(tagProv, p[:])
	ledger.IteratePrefix(st, prefix, func(k, _ []byte) bool {
		if d, ok := GetDeal(st, ledger.ReadU64(k[len(prefix):])); ok && d.State != storagev1.DealState_DEAL_STATE_CLOSED {
			n++
		}
		return n < limit
	})
	return n
}

// record applies one proof outcome to a provider's reputation (Storj's
// update with forgetting, reference/markets.md §2.2: α ← λα + w·[success],
// β ← λβ + w·[failure]) and moves its status: disqualified at or below
// storage.dq_score_ppm (permanent: a disqualified provider's score no
// longer moves), suspended at or below storage.suspend_score_ppm, vetted
// after storage.vetting_proofs outcomes. It emits storage.reputation with
// the reason and reports whether the provider became disqualified.
func record(ctx *ledger.Context, p ledger.Address, success bool, reason string) bool {
	st := ctx.Store
	r := reputationOf(st, p, ctx.Height)
	if r.Status == storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED {
		return false
	}
	lambda := params.Get(st, RepLambda)
	w, _ := ledger.MulDiv(params.Get(st, RepWeight), ScaleOne, 1)
	// λ <= 1 and w <= 1000·10^6: with λ = 1 (no forgetting) α grows by at
	// most 10^9 per outcome, 2^64 after 1.8·10^10 outcomes; saturate.
	r.Alpha, _ = ledger.MulDiv(r.Alpha, lambda, ScaleOne)
	r.Beta, _ = ledger.MulDiv(r.Beta, lambda, ScaleOne)
	if success {
		r.Alpha = satAdd(r.Alpha, w)
	} else {
		r.Beta = satAdd(r.Beta, w)
	}
	r.Outcomes++
	score := Score(r)
	old := r.Status
	switch {
	case score <= params.Get(st, DQScore):
		r.Status = storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED
	case score <= params.Get(st, SuspendScore):
		r.Status = storagev1.ProviderStatus_PROVIDER_STATUS_SUSPENDED
	case r.Outcomes >= params.Get(st, VettingProofs):
		r.Status = storagev1.ProviderStatus_PROVIDER_STATUS_VETTED
	default:
		r.Status = storagev1.ProviderStatus_PROVIDER_STATUS_VETTING
	}
	if r.Status != old {
		r.StatusHeight = ctx.Height
	}
	putReputation(st, r)
	ctx.Emit("storage.reputation", ledger.A("provider", p.String()), ledger.A("reason", reason),
		ledger.AU64("alpha", r.Alpha), ledger.AU64("beta", r.Beta), ledger.AU64("score_ppm", score),
		ledger.AU64("outcomes", r.Outcomes), ledger.A("status", StatusName(r.Status)), ledger.A("previous_status", StatusName(old)))
	return r.Status == storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED
}

func satAdd(a, b uint64) uint64 {
	if s, ok := ledger.Add(a, b); ok {
		return s
	}
	return ^uint64(0)
}
